//! Witnesses: each laptop records, as events it signs, the heads it holds of the other laptops'
//! chains. A laptop that later rewrites its own history (even re-signing it with its own key)
//! then contradicts what others signed they had seen, and `verify` names where. Also the
//! comparison of two copies of the log, event by event (`verify --against`).

use super::{Result, Store};
use crate::clock::Clock;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use warroom_model::{Author, Event};

/// The kind of a witness event.
pub const WITNESS: &str = "log.witness";

/// The head of one laptop's chain as a witness held it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// The laptop's origin id.
    pub origin: String,
    /// Its last event held.
    pub seq: u64,
    /// That event's hash.
    pub hash: String,
}

/// The author of the events a laptop writes by itself.
fn laptop() -> Author {
    Author { name: "warroom".into(), role: "witness".into() }
}

impl Store {
    /// Records the heads this laptop holds of the other laptops' chains, as an event it signs,
    /// when one of them moved by more than witness events since it last did; says whether.
    /// Only a room's laptops witness each other: a database synced outside one has no one to
    /// answer to.
    pub fn witness(&mut self, clock: &dyn Clock) -> Result<Option<Event>> {
        let room: Option<i64> = self
            .conn
            .query_row("SELECT 1 FROM fields WHERE entity = 'room' LIMIT 1", [], |r| r.get(0))
            .optional()
            .map_err(self.err())?;
        if room.is_none() {
            return Ok(None);
        }
        let heads = self.other_heads()?;
        let last: Option<String> = self
            .conn
            .query_row(
                "SELECT payload FROM events WHERE origin = ?1 AND kind = ?2 ORDER BY seq DESC LIMIT 1",
                params![self.origin, WITNESS],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())?;
        let seen: BTreeMap<String, u64> = last
            .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
            .and_then(|p| serde_json::from_value::<Vec<Head>>(p["heads"].clone()).ok())
            .unwrap_or_default()
            .into_iter()
            .map(|h| (h.origin, h.seq))
            .collect();
        let mut due = false;
        for h in &heads {
            let from = seen.get(&h.origin).copied().unwrap_or(0);
            if h.seq > from {
                let news: Option<i64> = self
                    .conn
                    .query_row(
                        "SELECT 1 FROM events WHERE origin = ?1 AND seq > ?2 AND kind <> ?3 LIMIT 1",
                        params![h.origin, from, WITNESS],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(self.err())?;
                due |= news.is_some();
            }
        }
        if !due {
            return Ok(None);
        }
        let summary = format!("witnessed the records of {} other laptop(s)", heads.len());
        self.commit(&laptop(), WITNESS, json!({ "summary": summary, "heads": heads }), Vec::new(), clock).map(Some)
    }

    fn other_heads(&self) -> Result<Vec<Head>> {
        let mut out = Vec::new();
        for (origin, seq) in self.version_vector()? {
            if origin == self.origin {
                continue;
            }
            let hash: String = self
                .conn
                .query_row("SELECT hash FROM events WHERE origin = ?1 AND seq = ?2", params![origin, seq], |r| r.get(0))
                .map_err(self.err())?;
            out.push(Head { origin, seq, hash });
        }
        Ok(out)
    }

    /// How many events of `kind` the log holds, from every laptop.
    pub fn kind_count(&self, kind: &str) -> Result<u64> {
        self.conn.query_row("SELECT count(*) FROM events WHERE kind = ?1", [kind], |r| r.get(0)).map_err(self.err())
    }

    /// The hash of `origin`'s event `seq`, if held.
    pub(super) fn hash_of(&self, origin: &str, seq: u64) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT hash FROM events WHERE origin = ?1 AND seq = ?2", params![origin, seq], |r| r.get(0))
            .optional()
            .map_err(self.err())
    }

    /// Where this copy of the log and `other` differ, laptop by laptop: an event held by both
    /// with different content (one was rewritten), or events only one holds (not yet synced,
    /// or removed from the other).
    pub fn differences(&self, other: &Store) -> Result<Vec<Difference>> {
        let (mine, theirs) = (self.version_vector()?, other.version_vector()?);
        let mut origins: Vec<&String> = mine.keys().chain(theirs.keys()).collect();
        origins.sort();
        origins.dedup();
        let mut out = Vec::new();
        for origin in origins {
            let (a, b) = (mine.get(origin).copied().unwrap_or(0), theirs.get(origin).copied().unwrap_or(0));
            // The first event both hold that differs: chains are linked, so all after it differ.
            let (mut lo, mut hi) = (1, a.min(b));
            let mut first_diff = None;
            if hi >= 1 && self.hash_of(origin, hi)? != other.hash_of(origin, hi)? {
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if self.hash_of(origin, mid)? == other.hash_of(origin, mid)? {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                first_diff = Some(lo);
            }
            if let Some(seq) = first_diff {
                out.push(Difference { origin: origin.clone(), kind: DifferenceKind::Rewritten { from: seq } });
            }
            if a != b {
                out.push(Difference { origin: origin.clone(), kind: DifferenceKind::Holds { this: a, other: b } });
            }
        }
        Ok(out)
    }
}

/// One way two copies of the log differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The laptop whose chain differs.
    pub origin: String,
    /// How.
    pub kind: DifferenceKind,
}

/// How two copies of one laptop's chain differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DifferenceKind {
    /// Both hold its events from `from` on, with different content: one copy was rewritten.
    Rewritten {
        /// The first event that differs.
        from: u64,
    },
    /// One holds more of its events than the other (not yet synced, or cut off).
    Holds {
        /// How many this copy holds.
        this: u64,
        /// How many the other holds.
        other: u64,
    },
}

impl Difference {
    /// A rewrite, not merely a copy behind the other.
    pub fn is_rewrite(&self) -> bool {
        matches!(self.kind, DifferenceKind::Rewritten { .. })
    }
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let who = self.origin.get(..8).unwrap_or(&self.origin);
        match self.kind {
            DifferenceKind::Rewritten { from } => write!(
                f,
                "laptop {who}: event #{from} and those after it differ between the two copies: one of them was rewritten"
            ),
            DifferenceKind::Holds { this, other } if this > other => {
                write!(f, "laptop {who}: this copy holds events #{} to #{this}, the other does not", other + 1)
            }
            DifferenceKind::Holds { this, other } => {
                write!(f, "laptop {who}: the other copy holds events #{} to #{other}, this one does not", this + 1)
            }
        }
    }
}
