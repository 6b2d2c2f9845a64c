//! The merge rule, as a pure function: fields are last-writer-wins registers ordered by
//! (hlc, origin); sets only grow, one member per adding write. Applying the same events in any
//! order, any number of times, gives the same state. The SQLite store applies exactly this rule.

use std::collections::BTreeMap;
use warroom_model::{Event, WriteOp};

/// (entity, id, field)
pub type FieldKey = (String, String, String);

/// A value with the version of the write that set it.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned {
    /// The value written.
    pub value: serde_json::Value,
    /// The writing event's hybrid logical clock.
    pub hlc: u64,
    /// The origin id of the laptop that wrote it; breaks HLC ties.
    pub origin: String,
}

impl Versioned {
    /// Whether a write with this version replaces `self`.
    pub fn loses_to(&self, hlc: u64, origin: &str) -> bool {
        (hlc, origin) > (self.hlc, self.origin.as_str())
    }
}

/// The merged state: every field's winning value and every set's members.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    /// (entity, id, field) → the winning value and its version.
    pub fields: BTreeMap<FieldKey, Versioned>,
    /// (entity, id, field, member) → value and version.
    pub members: BTreeMap<(String, String, String, String), Versioned>,
}

/// The member key of the `index`-th write of an event: the same on every peer.
pub fn member_key(origin: &str, seq: u64, index: usize) -> String {
    format!("{origin}:{seq}:{index}")
}

impl State {
    /// Merges one event's writes: a `Set` wins if its (hlc, origin) is later, an `Add` joins its set
    /// once.
    pub fn apply(&mut self, ev: &Event) {
        for (i, w) in ev.writes.iter().enumerate() {
            match w.op {
                WriteOp::Set => {
                    let key = (w.entity.clone(), w.id.clone(), w.field.clone());
                    let new = Versioned { value: w.value.clone(), hlc: ev.hlc, origin: ev.origin.clone() };
                    match self.fields.get_mut(&key) {
                        Some(old) if !old.loses_to(ev.hlc, &ev.origin) => {}
                        Some(old) => *old = new,
                        None => {
                            self.fields.insert(key, new);
                        }
                    }
                }
                WriteOp::Add => {
                    let key = (w.entity.clone(), w.id.clone(), w.field.clone(), member_key(&ev.origin, ev.seq, i));
                    self.members.entry(key).or_insert_with(|| Versioned {
                        value: w.value.clone(),
                        hlc: ev.hlc,
                        origin: ev.origin.clone(),
                    });
                }
            }
        }
    }

    /// The state a log gives when replayed, in any order.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut s = Self::default();
        for e in events {
            s.apply(e);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use warroom_model::{Author, Write};

    fn ev(origin: &str, seq: u64, hlc: u64, writes: Vec<Write>) -> Event {
        Event {
            origin: origin.into(),
            seq,
            hlc,
            wall_ms: 0,
            author: Author::default(),
            kind: "test".into(),
            payload: json!(null),
            writes,
            prev_hash: String::new(),
            hash: String::new(),
            key: String::new(),
            sig: String::new(),
        }
    }

    #[test]
    fn later_hlc_wins_and_origin_breaks_ties() {
        let a = ev("a", 1, 10, vec![Write::set("task", "1.1", "status", json!("done"))]);
        let b = ev("b", 1, 10, vec![Write::set("task", "1.1", "status", json!("failed"))]);
        let c = ev("a", 2, 9, vec![Write::set("task", "1.1", "status", json!("pending"))]);
        for order in [[&a, &b, &c], [&c, &b, &a], [&b, &a, &c]] {
            let s = State::replay(order);
            let v = &s.fields[&("task".into(), "1.1".into(), "status".into())];
            assert_eq!(v.value, json!("failed"));
        }
    }

    #[test]
    fn sets_keep_every_addition_once() {
        let a = ev(
            "a",
            1,
            10,
            vec![Write::add("task", "1.1", "comments", json!("x")), Write::add("task", "1.1", "comments", json!("x"))],
        );
        let s = State::replay([&a, &a]);
        assert_eq!(s.members.len(), 2);
    }

    fn arb_event() -> impl Strategy<Value = Event> {
        let write = (0..3usize, 0..4usize, 0..3usize, 0..5i64, any::<bool>()).prop_map(|(e, id, f, v, add)| {
            let (entity, id, field) =
                (["task", "phase", "metric"][e], format!("{id}"), ["status", "title", "owner"][f]);
            if add { Write::add(entity, &id, field, json!(v)) } else { Write::set(entity, &id, field, json!(v)) }
        });
        (0..3usize, 1..20u64, 0..8u64, prop::collection::vec(write, 1..4))
            // A device's HLC strictly increases with its sequence; other devices' may tie.
            .prop_map(|(o, seq, jitter, writes)| ev(["a", "b", "c"][o], seq, seq * 8 + jitter, writes))
    }

    /// Events are identified by (origin, seq); a generated set keeps the first of each.
    fn unique(events: Vec<Event>) -> Vec<Event> {
        let mut seen = std::collections::HashSet::new();
        events.into_iter().filter(|e| seen.insert((e.origin.clone(), e.seq))).collect()
    }

    proptest! {
        #[test]
        fn any_order_with_duplicates_gives_the_same_state(
            events in prop::collection::vec(arb_event(), 1..40),
            seed in any::<u64>(),
            dups in prop::collection::vec(any::<prop::sample::Index>(), 0..20),
        ) {
            let events = unique(events);
            let reference = State::replay(&events);
            let mut shuffled = events.clone();
            for d in &dups {
                shuffled.push(events[d.index(events.len())].clone());
            }
            // A seeded Fisher-Yates keeps the case reproducible.
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                let j = (x % (i as u64 + 1)) as usize;
                shuffled.swap(i, j);
            }
            prop_assert_eq!(State::replay(&shuffled), reference);
        }
    }
}
