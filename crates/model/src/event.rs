//! One entry of the append-only event log: who did what, from which device, when (a hybrid
//! logical clock), as field-level writes that peers merge last-writer-wins per field, or as
//! additions to sets that only accumulate.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who made a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Author {
    pub name: String,
    pub role: String,
}

/// How a write combines with others to the same field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WriteOp {
    /// Last writer wins, by (hlc, origin).
    #[default]
    Set,
    /// Adds a member to the field's set; members only accumulate (comments, sign-offs).
    Add,
}

/// One field-level change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Write {
    pub entity: String,
    pub id: String,
    pub field: String,
    #[serde(default, skip_serializing_if = "WriteOp::is_set")]
    pub op: WriteOp,
    pub value: Value,
}

impl WriteOp {
    pub fn is_set(&self) -> bool {
        *self == Self::Set
    }
}

impl Write {
    pub fn set(entity: &str, id: &str, field: &str, value: Value) -> Self {
        Self { entity: entity.into(), id: id.into(), field: field.into(), op: WriteOp::Set, value }
    }
    pub fn add(entity: &str, id: &str, field: &str, value: Value) -> Self {
        Self { entity: entity.into(), id: id.into(), field: field.into(), op: WriteOp::Add, value }
    }
}

/// One local transaction, as logged and replicated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Random id of the database that made it (hex).
    pub origin: String,
    /// Gapless per-origin sequence, from 1.
    pub seq: u64,
    /// Hybrid logical clock: milliseconds since the Unix epoch << 16 | a counter.
    pub hlc: u64,
    /// The author's wall clock when it was made (ms since the Unix epoch).
    pub wall_ms: i64,
    pub author: Author,
    /// What the writes mean: `runbook.import`, `task.start`, ... Unknown kinds are kept as they are.
    pub kind: String,
    pub payload: Value,
    pub writes: Vec<Write>,
    /// Hash of the same origin's previous event (hex), empty for the first.
    pub prev_hash: String,
    /// SHA-256 over this event's content and `prev_hash` (hex).
    pub hash: String,
}

impl Event {
    /// The physical part of the HLC, in ms since the Unix epoch.
    pub fn hlc_ms(&self) -> i64 {
        i64::try_from(self.hlc >> 16).unwrap_or(i64::MAX)
    }
}
