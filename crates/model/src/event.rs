//! One entry of the append-only event log: who did what, from which device, when (a hybrid
//! logical clock), as field-level writes that peers merge last-writer-wins per field, or as
//! additions to sets that only accumulate.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who made a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Author {
    /// The person's name as set with `warroom me set` (or `--by`); empty when not given.
    pub name: String,
    /// Their role in the go-live (`Tech Lead`, `DBA`, …): what sign-offs and "my tasks" go by.
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
    /// The kind of thing written to: `task`, `phase`, `member`, `room`, …
    pub entity: String,
    /// Which one of that kind: a task's number (`2.1`), a fingerprint, a room id.
    pub id: String,
    /// The field written (`status`, `owner`, `comments`, …).
    pub field: String,
    /// Whether the value replaces the field's value or joins its set.
    #[serde(default, skip_serializing_if = "WriteOp::is_set")]
    pub op: WriteOp,
    /// The new value (for `Add`, the member added).
    pub value: Value,
}

impl WriteOp {
    /// Whether this is the default, last-writer-wins `Set` (so it is left out of the JSON).
    pub fn is_set(&self) -> bool {
        *self == Self::Set
    }
}

impl Write {
    /// A last-writer-wins write of `value` to `entity`/`id`/`field`.
    pub fn set(entity: &str, id: &str, field: &str, value: Value) -> Self {
        Self { entity: entity.into(), id: id.into(), field: field.into(), op: WriteOp::Set, value }
    }
    /// Adds `value` to the set held in `entity`/`id`/`field`.
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
    /// Who made the change, as they had set themselves on that laptop.
    pub author: Author,
    /// What the writes mean: `runbook.import`, `task.start`, ... Unknown kinds are kept as they are.
    pub kind: String,
    /// What the change was, for people: a `summary` line the activity log and the audit record show,
    /// and details that depend on the kind.
    pub payload: Value,
    /// The field-level changes it makes, applied together or not at all.
    pub writes: Vec<Write>,
    /// Hash of the same origin's previous event (hex), empty for the first.
    pub prev_hash: String,
    /// SHA-256 over this event's content and `prev_hash` (hex).
    pub hash: String,
    /// The signing laptop's Ed25519 public key (hex); empty on an event written before events
    /// were signed, until its own laptop signs it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// The signature by `key` of `hash` (hex), empty where `key` is.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sig: String,
}

impl Event {
    /// The physical part of the HLC, in ms since the Unix epoch.
    pub fn hlc_ms(&self) -> i64 {
        i64::try_from(self.hlc >> 16).unwrap_or(i64::MAX)
    }

    /// A text the payload carries under `name` (`task`, `reason`, ...): the payload's words are
    /// read through here and the two below, so that the Activity list, the status and the audit
    /// record agree on them.
    pub fn said(&self, name: &str) -> Option<&str> {
        self.payload.get(name).and_then(Value::as_str)
    }

    /// The summary line its author's laptop wrote, in English, if it wrote one.
    pub fn summary(&self) -> Option<&str> {
        self.said("summary")
    }

    /// For an import or a re-import, the file it read (as the import report names it).
    pub fn imported_file(&self) -> Option<&str> {
        match self.kind.as_str() {
            "runbook.import" | "runbook.reimport" => self.payload.pointer("/report/file").and_then(Value::as_str),
            _ => None,
        }
    }
}
