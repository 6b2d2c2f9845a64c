//! Whether a database's record was changed after the fact, and where: each device's hash chain
//! is recomputed from the stored events (an edited event no longer matches its hash, a removed
//! one leaves a gap), each signature is checked against its laptop's key, what other laptops
//! witnessed is compared with what is held, and the stored state is compared with a replay of the log (a value edited
//! in place no longer follows from the events). The digest over the chains' heads is what the
//! audit record prints: the same log gives the same digest on every laptop.

use super::log::hash_with;
use super::state::{State, Versioned};
use super::{Result, Store};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use warroom_model::Event;

/// One device's chain: how many events, and the hash of its last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chain {
    /// The laptop's origin id.
    pub origin: String,
    /// How many of its events the database holds.
    pub events: u64,
    /// The hash of the last of them (hex).
    pub head: String,
    /// The laptop's public signing key (hex), empty if none of its events is signed.
    #[serde(default)]
    pub key: String,
    /// How many of its events are not signed (written before events were signed).
    #[serde(default)]
    pub unsigned: u64,
    /// The other laptops that signed they held this chain, with the last event each held.
    #[serde(default)]
    pub witnessed: Vec<Witnessed>,
}

/// That one laptop signed it held another's chain up to an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Witnessed {
    /// The witnessing laptop's origin id.
    pub by: String,
    /// The last event of the chain it held.
    pub seq: u64,
    /// When it said so, by its clock (ms since the Unix epoch).
    pub at_ms: i64,
}

/// Something that does not follow from the log as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tamper {
    /// The event concerned, as `origin#seq`.
    pub event: String,
    /// What does not follow, in English (`does not follow the event before it: the chain was rewritten`).
    pub what: String,
}

impl fmt::Display for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {}: {}", self.event, self.what)
    }
}

/// What `warroom verify` found: the log's digest and anything changed after the fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// SHA-256 over every chain's origin, length and head, in origin order.
    pub digest: String,
    /// How many events the log holds, from every laptop.
    pub events: u64,
    /// Each laptop's chain, in origin order.
    pub chains: Vec<Chain>,
    /// Every event or value that does not follow from the log; empty when intact.
    pub problems: Vec<Tamper>,
}

impl Verification {
    /// Nothing was changed or removed after the fact.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The digest of a set of chains, as the audit record prints it.
pub fn digest(chains: &[Chain]) -> String {
    let mut h = Sha256::new();
    for c in chains {
        h.update(format!("{} {} {}\n", c.origin, c.events, c.head).as_bytes());
    }
    hex::encode(h.finalize())
}

/// Every value the database holds that the log does not give, and every value the log gives
/// that the database lacks, each named by the event concerned.
fn compare<K: Ord>(
    stored: &BTreeMap<K, Versioned>,
    replayed: &BTreeMap<K, Versioned>,
    event_at: &dyn Fn(&str, u64) -> String,
    problems: &mut Vec<Tamper>,
    name: impl Fn(&K) -> String,
) {
    for (k, v) in stored {
        match replayed.get(k) {
            Some(r) if r.value == v.value => {}
            Some(r) => problems.push(Tamper {
                event: event_at(&r.origin, r.hlc),
                what: format!(
                    "{} reads {} in the database, but this event made it {}: edited in place",
                    name(k),
                    v.value,
                    r.value
                ),
            }),
            None => problems.push(Tamper {
                event: event_at(&v.origin, v.hlc),
                what: format!("{} = {} is in the database but in no event: added in place", name(k), v.value),
            }),
        }
    }
    for (k, r) in replayed {
        if !stored.contains_key(k) {
            problems.push(Tamper {
                event: event_at(&r.origin, r.hlc),
                what: format!("{} = {} came from this event but is gone from the database", name(k), r.value),
            });
        }
    }
}

fn short(origin: &str) -> &str {
    origin.get(..8).unwrap_or(origin)
}

/// Every witness event's claims against the chains held: a witnessed event that is gone, or
/// that now reads differently, was removed or rewritten after another laptop signed it had it.
/// Events a revoked laptop wrote past its cut-off were taken out on purpose, even if witnessed.
fn check_witnesses(
    events: &[Event],
    cutoffs: &std::collections::HashMap<String, u64>,
    chains: &mut BTreeMap<String, Chain>,
    problems: &mut Vec<Tamper>,
) {
    let hashes: std::collections::HashMap<(&str, u64), &str> =
        events.iter().map(|e| ((e.origin.as_str(), e.seq), e.hash.as_str())).collect();
    for w in events.iter().filter(|e| e.kind == super::witness::WITNESS) {
        let Ok(heads) = serde_json::from_value::<Vec<super::witness::Head>>(w.payload["heads"].clone()) else {
            continue;
        };
        for h in heads {
            let name = format!("{}#{}", short(&h.origin), h.seq);
            if cutoffs.get(&h.origin).is_some_and(|upto| h.seq > *upto) {
                continue;
            }
            match hashes.get(&(h.origin.as_str(), h.seq)) {
                Some(held) if *held == h.hash => {}
                Some(_) => problems.push(Tamper {
                    event: name,
                    what: format!(
                        "differs from what laptop {} signed it held (its event #{}): rewritten after it was witnessed",
                        short(&w.origin),
                        w.seq
                    ),
                }),
                None => problems.push(Tamper {
                    event: name,
                    what: format!(
                        "is missing, but laptop {} signed it held it (its event #{}): removed after it was witnessed",
                        short(&w.origin),
                        w.seq
                    ),
                }),
            }
            if let Some(c) = chains.get_mut(&h.origin) {
                c.witnessed.retain(|x| x.by != w.origin);
                c.witnessed.push(Witnessed { by: w.origin.clone(), seq: h.seq, at_ms: w.wall_ms });
            }
        }
    }
}

impl Store {
    /// Each member's recorded key against the key that signs its laptop's chain.
    fn check_members(&self, chains: &mut BTreeMap<String, Chain>, problems: &mut Vec<Tamper>) -> Result<()> {
        for m in crate::sync::members::members(self)? {
            if let Some(c) = chains.get(&m.origin)
                && !m.key.is_empty()
                && !c.key.is_empty()
                && c.key != m.key
            {
                problems.push(Tamper {
                    event: format!("{}#1", short(&m.origin)),
                    what: format!("this laptop's events are not signed by the key {} joined the room with", m.name),
                });
            }
        }
        Ok(())
    }

    /// Recomputes every hash chain and replays the log against the stored state.
    pub fn verify(&self) -> Result<Verification> {
        self.verify_against(&self.state()?).map(|(v, _)| v)
    }

    /// `verify` against the stored state already read (`stored`), returning also the events it
    /// read, in log order (what the audit record lists).
    pub fn verify_against(&self, stored: &State) -> Result<(Verification, Vec<Event>)> {
        let mut stmt =
            self.conn.prepare(&format!("{} ORDER BY origin, seq", super::log::EVENT_COLUMNS)).map_err(self.err())?;
        let rows: Vec<super::log::RawEvent> =
            stmt.query_map([], super::log::row_event).and_then(Iterator::collect).map_err(self.err())?;
        let signed: Vec<crate::keys::Signed<'_>> =
            rows.iter().map(|(ev, _, _)| crate::keys::Signed { key: &ev.key, hash: &ev.hash, sig: &ev.sig }).collect();
        let signature_ok = crate::keys::verify_hashes(&signed);
        let mut problems = Vec::new();
        let mut chains: BTreeMap<String, Chain> = BTreeMap::new();
        let mut events = Vec::new();
        for ((mut ev, payload, writes), signature_ok) in rows.into_iter().zip(signature_ok) {
            let name = format!("{}#{}", short(&ev.origin), ev.seq);
            let chain = chains.entry(ev.origin.clone()).or_insert_with(|| Chain {
                origin: ev.origin.clone(),
                events: 0,
                head: String::new(),
                key: String::new(),
                unsigned: 0,
                witnessed: Vec::new(),
            });
            if ev.sig.is_empty() {
                chain.unsigned += 1;
            } else if !signature_ok {
                problems.push(Tamper {
                    event: name.clone(),
                    what: "its signature does not match it: changed after it was signed, or not signed by its laptop"
                        .into(),
                });
            } else if chain.key.is_empty() {
                chain.key = ev.key.clone();
            } else if chain.key != ev.key {
                problems.push(Tamper {
                    event: name.clone(),
                    what: "signed with another key than this laptop's other events: forged as this laptop".into(),
                });
            }
            if ev.seq != chain.events + 1 {
                let what = if ev.seq > chain.events + 1 {
                    format!(
                        "events #{} to #{} of this laptop are missing: removed from the log",
                        chain.events + 1,
                        ev.seq - 1
                    )
                } else {
                    "recorded twice".to_owned()
                };
                problems.push(Tamper { event: name.clone(), what });
            } else if ev.prev_hash != chain.head {
                problems.push(Tamper {
                    event: name.clone(),
                    what: "does not follow the event before it: the chain was rewritten".into(),
                });
            }
            match (serde_json::from_str::<Value>(&payload), serde_json::from_str(&writes)) {
                (Ok(p), Ok(w)) => {
                    ev.payload = p;
                    if hash_with(&ev, &writes) != ev.hash {
                        problems.push(Tamper {
                            event: name.clone(),
                            what: format!(
                                "{} by {} was changed after it was recorded (its content no longer matches its hash)",
                                ev.kind, ev.author.name
                            ),
                        });
                    }
                    ev.writes = w;
                }
                _ => problems.push(Tamper { event: name.clone(), what: "its content is no longer readable".into() }),
            }
            chain.events = ev.seq;
            chain.head = ev.hash.clone();
            events.push(ev);
        }
        self.check_members(&mut chains, &mut problems)?;
        let cutoffs = super::trust::cutoffs(&self.conn).map_err(self.err())?;
        check_witnesses(&events, &cutoffs, &mut chains, &mut problems);
        let chains: Vec<Chain> = chains.into_values().collect();

        // The stored state must be exactly what the log says.
        events.sort_by(|a, b| (a.hlc, &a.origin, a.seq).cmp(&(b.hlc, &b.origin, b.seq)));
        let replayed = State::replay(&events);
        let event_at = |origin: &str, hlc: u64| {
            events
                .iter()
                .find(|e| e.origin == origin && e.hlc == hlc)
                .map_or_else(|| format!("{}@{hlc}", short(origin)), |e| format!("{}#{}", short(&e.origin), e.seq))
        };
        compare(&stored.fields, &replayed.fields, &event_at, &mut problems, |(e, i, f)| format!("{e} {i} {f}"));
        compare(&stored.members, &replayed.members, &event_at, &mut problems, |(e, i, f, _)| {
            format!("{e} {i} {f}: an entry")
        });
        Ok((Verification { digest: digest(&chains), events: events.len() as u64, chains, problems }, events))
    }
}

#[cfg(test)]
mod tests {
    use crate::FakeClock;
    use crate::store::Store;
    use chrono::TimeZone;
    use serde_json::json;
    use warroom_model::{Author, Write};

    fn store() -> (tempfile::TempDir, Store, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let mut s = Store::open(&path).unwrap();
        let clock = FakeClock::new(chrono::Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).unwrap());
        let lan = Author { name: "Lan".into(), role: "Tech Lead".into() };
        for (i, status) in ["in_progress", "done", "done"].iter().enumerate() {
            clock.advance(chrono::Duration::minutes(5));
            let writes = vec![
                Write::set("task_run", &format!("r/1.{i}"), "status", json!(status)),
                Write::add("task_run", &format!("r/1.{i}"), "comments", json!({ "text": format!("note {i}") })),
            ];
            s.commit(&lan, "task.status", json!({ "summary": format!("1.{i} {status}") }), writes, &clock).unwrap();
        }
        let origin = s.origin().to_owned();
        (dir, s, origin)
    }

    fn tamper(s: &Store, sql: &str) {
        s.conn
            .execute_batch(
                "DROP TRIGGER IF EXISTS events_append_only_update; DROP TRIGGER IF EXISTS events_append_only_delete;",
            )
            .unwrap();
        s.conn.execute_batch(sql).unwrap();
    }

    #[test]
    fn an_untouched_log_is_intact_and_its_digest_is_stable() {
        let (_d, s, origin) = store();
        let v = s.verify().unwrap();
        assert!(v.intact(), "{:?}", v.problems);
        assert_eq!(v.events, 3);
        assert_eq!(v.chains.len(), 1);
        assert_eq!(v.chains[0].origin, origin);
        assert_eq!(s.verify().unwrap().digest, v.digest);
        assert_eq!(v.digest.len(), 64);
    }

    #[test]
    fn an_event_edited_afterwards_is_named() {
        let (_d, s, origin) = store();
        let before = s.verify().unwrap().digest;
        tamper(&s, "UPDATE events SET payload = '{\"summary\":\"1.1 skipped\"}' WHERE seq = 2");
        let v = s.verify().unwrap();
        assert!(!v.intact());
        let named = format!("{}#2", &origin[..8]);
        assert!(v.problems.iter().any(|p| p.event == named && p.what.contains("changed after")), "{:?}", v.problems);
        assert_eq!(v.digest, before, "the chain heads did not move: the digest alone would not show it");
    }

    #[test]
    fn a_removed_event_is_a_gap() {
        let (_d, s, origin) = store();
        tamper(&s, "DELETE FROM events WHERE seq = 2");
        let v = s.verify().unwrap();
        let named = format!("{}#3", &origin[..8]);
        assert!(
            v.problems.iter().any(|p| p.event == named && p.what.contains("#2 to #2") && p.what.contains("missing")),
            "{:?}",
            v.problems
        );
    }

    #[test]
    fn a_value_or_a_comment_edited_in_the_state_is_named_with_its_event() {
        let (_d, s, origin) = store();
        tamper(&s, "UPDATE fields SET value = '\"skipped\"' WHERE id = 'r/1.1' AND field = 'status'");
        let v = s.verify().unwrap();
        let named = format!("{}#2", &origin[..8]);
        assert!(
            v.problems
                .iter()
                .any(|p| p.event == named && p.what.contains("\"skipped\"") && p.what.contains("\"done\"")),
            "{:?}",
            v.problems
        );
        let (_d2, s2, origin2) = store();
        tamper(&s2, "UPDATE members SET value = '{\"text\":\"all fine\"}' WHERE id = 'r/1.0'");
        let v2 = s2.verify().unwrap();
        let named2 = format!("{}#1", &origin2[..8]);
        assert!(v2.problems.iter().any(|p| p.event == named2 && p.what.contains("all fine")), "{:?}", v2.problems);
    }
}
