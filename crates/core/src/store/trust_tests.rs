//! The attacks on the log a member, a relay or whoever holds a database file could try, each
//! performed against the store: forging as another laptop, a clock at the end of time, writing
//! after a revocation, rewriting one's own history after others witnessed it.

use super::Store;
use crate::FakeClock;
use crate::keys::{KeyStore, MemoryKeys};
use crate::sync::members;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;
use warroom_model::{Author, Event, Write};

fn clock() -> FakeClock {
    FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 31, 6, 0, 0).unwrap())
}

fn lan() -> Author {
    Author { name: "Lan".into(), role: "Tech Lead".into() }
}

fn owner(s: &mut Store, task: &str, who: &str, c: &FakeClock) -> Event {
    let w = vec![Write::set("task", task, "owner", json!(who))];
    s.commit(&lan(), "task.edit", json!({ "summary": format!("{task} owner {who}") }), w, c).unwrap()
}

fn owner_of(s: &Store, task: &str) -> Option<Value> {
    s.entity_values("task").unwrap().get(&(task.to_owned(), "owner".to_owned())).cloned()
}

/// `ev` as laptop `signer` would sign it under `ev`'s origin: a forgery unless it is its own.
fn resigned(mut ev: Event, signer: &Store) -> Event {
    ev.hash = super::event_hash(&ev);
    let keys = signer.laptop_keys().unwrap();
    (ev.key, ev.sig) = (keys.public_hex(), keys.sign_hash(&ev.hash));
    ev
}

/// A room on `a` with `others` admitted, each bound to its database and key.
fn room(a: &mut Store, others: &[&Store], c: &FakeClock) {
    let mut writes = vec![Write::set("room", "r1", "name", json!("Go-live"))];
    for (i, s) in std::iter::once(&*a).chain(others.iter().copied()).enumerate() {
        let fp = format!("{i}").repeat(64);
        writes.extend(members::trust_writes(&fp, &format!("laptop {i}")));
        writes.extend(members::laptop_writes(&fp, s.origin(), &s.public_key().unwrap()));
    }
    a.commit(&lan(), "room.create", json!({ "summary": "room" }), writes, c).unwrap();
}

#[test]
fn an_event_forged_as_another_member_is_refused_named_and_changes_nothing() {
    let c = clock();
    let (mut a, mut b, f) =
        (Store::open_in_memory().unwrap(), Store::open_in_memory().unwrap(), Store::open_in_memory().unwrap());
    room(&mut a, &[&b, &f], &c);
    let real = owner(&mut b, "1.1", "Lan", &c);
    a.apply_remote(&b.events().unwrap(), &c).unwrap();
    // F, a member, writes as B: B's origin and the next sequence, signed with F's own key.
    let mut forged = real.clone();
    (forged.seq, forged.prev_hash) = (2, real.hash.clone());
    forged.writes = vec![Write::set("task", "1.1", "owner", json!("Mallory"))];
    let forged = resigned(forged, &f);
    let got = a.apply_remote(&[forged], &c).unwrap();
    assert_eq!(got.applied, 0);
    assert_eq!(got.refused.len(), 1, "{got:?}");
    assert!(got.refused[0].reason.contains("forged"), "{got:?}");
    assert_eq!(got.refused[0].origin, b.origin());
    assert_eq!(owner_of(&a, "1.1"), Some(json!("Lan")));
    assert_eq!(a.refused_events().unwrap().len(), 1, "kept aside for the alarm");
    assert!(a.verify().unwrap().intact());
    // B's real next event still gets in.
    let next = owner(&mut b, "1.2", "Huy", &c);
    assert_eq!(a.apply_remote(&[next], &c).unwrap().applied, 1);
}

#[test]
fn an_event_stamped_at_the_end_of_time_is_refused_and_writes_go_on() {
    let c = clock();
    let (mut a, mut b) = (Store::open_in_memory().unwrap(), Store::open_in_memory().unwrap());
    let mut ev = owner(&mut b, "1.1", "Lan", &c);
    ev.hlc = i64::MAX as u64;
    let ev = resigned(ev, &b);
    let got = a.apply_remote(&[ev], &c).unwrap();
    assert_eq!(got.refused.len(), 1);
    assert!(got.refused[0].reason.contains("ahead"), "{got:?}");
    owner(&mut a, "1.2", "Huy", &c);
    assert_eq!(owner_of(&a, "1.2"), Some(json!("Huy")));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Whatever clock a peer's event carries, taking it never makes a local write fail, and
    /// the local clock never runs backwards.
    #[test]
    fn no_peer_clock_stops_local_writes(hlc in prop_oneof![any::<u64>(), Just(u64::MAX), Just(i64::MAX as u64), 0..u64::from(u32::MAX)]) {
        let c = clock();
        let (mut a, mut b) = (Store::open_in_memory().unwrap(), Store::open_in_memory().unwrap());
        let mut ev = owner(&mut b, "1.1", "Lan", &c);
        ev.hlc = hlc;
        let ev = resigned(ev, &b);
        a.apply_remote(&[ev], &c).unwrap();
        let mine = owner(&mut a, "1.2", "Huy", &c);
        let again = owner(&mut a, "1.3", "Huy", &c);
        prop_assert!(again.hlc > mine.hlc);
        prop_assert!(i64::try_from(again.hlc).is_ok());
    }
}

#[test]
fn a_revoked_laptops_later_writes_are_refused_and_taken_out_where_they_got_in() {
    let c = clock();
    let (mut a, mut b, mut d) =
        (Store::open_in_memory().unwrap(), Store::open_in_memory().unwrap(), Store::open_in_memory().unwrap());
    room(&mut a, &[&b, &d], &c);
    owner(&mut d, "1.1", "Duc", &c);
    for s in [&mut b, &mut d] {
        s.apply_remote(&a.events().unwrap(), &c).unwrap();
    }
    a.apply_remote(&d.events().unwrap(), &c).unwrap();
    b.apply_remote(&d.events().unwrap(), &c).unwrap();
    // B is away; A revokes D, having D's first event.
    members::revoke(&mut a, &lan(), &"2".repeat(64), &c).unwrap();
    // D writes on and syncs with B, which has not heard of the revocation.
    let late = owner(&mut d, "1.1", "Mallory", &c);
    assert_eq!(b.apply_remote(std::slice::from_ref(&late), &c).unwrap().applied, 1);
    assert_eq!(owner_of(&b, "1.1"), Some(json!("Mallory")));
    // A refuses it when B passes it on.
    let got = a.apply_remote(&b.events().unwrap(), &c).unwrap();
    assert_eq!(got.refused.len(), 1, "{got:?}");
    assert!(got.refused[0].reason.contains("revoked"), "{got:?}");
    assert_eq!(owner_of(&a, "1.1"), Some(json!("Duc")));
    // B takes it out once the revocation reaches it, and its state follows.
    let got = b.apply_remote(&a.events().unwrap(), &c).unwrap();
    assert_eq!(got.taken_out, 1, "{got:?}");
    assert_eq!(owner_of(&b, "1.1"), Some(json!("Duc")));
    assert_eq!(b.state_hash().unwrap(), a.state_hash().unwrap());
    assert!(b.verify().unwrap().intact(), "{:?}", b.verify().unwrap().problems);
    assert!(b.refused_events().unwrap().iter().any(|r| r.origin == d.origin() && r.seq == late.seq));
}

#[test]
fn a_history_rewritten_and_rehashed_is_caught_by_its_signatures() {
    let c = clock();
    let mut a = Store::open_in_memory().unwrap();
    for who in ["Lan", "Huy", "Mai"] {
        owner(&mut a, "1.1", who, &c);
    }
    // Whoever holds the file, not the key: move an event, recompute every later hash, fix the
    // state, put the append-only trigger back.
    let mut events = a.events().unwrap();
    events[1].writes = vec![Write::set("task", "1.1", "owner", json!("Mallory"))];
    for i in 1..events.len() {
        events[i].prev_hash = events[i - 1].hash.clone();
        events[i].hash = super::event_hash(&events[i]);
    }
    a.conn.execute_batch("DROP TRIGGER events_append_only_update").unwrap();
    for e in &events[1..] {
        a.conn
            .execute(
                "UPDATE events SET writes = ?1, prev_hash = ?2, hash = ?3 WHERE origin = ?4 AND seq = ?5",
                rusqlite::params![serde_json::to_string(&e.writes).unwrap(), e.prev_hash, e.hash, e.origin, e.seq],
            )
            .unwrap();
    }
    a.rebuild().unwrap();
    let v = a.verify().unwrap();
    assert!(!v.intact());
    assert!(v.problems.iter().any(|p| p.event.ends_with("#2") && p.what.contains("signature")), "{:?}", v.problems);
}

#[test]
fn rewriting_ones_own_history_after_a_peer_witnessed_it_is_caught() {
    let c = clock();
    let (mut a, mut b) = (Store::open_in_memory().unwrap(), Store::open_in_memory().unwrap());
    room(&mut a, &[&b], &c);
    owner(&mut a, "1.1", "Lan", &c);
    b.apply_remote(&a.events().unwrap(), &c).unwrap();
    let w = b.witness(&c).unwrap().expect("B witnesses A's new events");
    assert!(b.witness(&c).unwrap().is_none(), "nothing new: no second witness");
    a.apply_remote(&b.events().unwrap(), &c).unwrap();
    assert!(a.verify().unwrap().intact());
    // A's owner, holding A's key, rewrites and re-signs A's own last event.
    let mut events = a.events().unwrap();
    let last = events.iter().rposition(|e| e.origin == a.origin()).unwrap();
    events[last].writes = vec![Write::set("task", "1.1", "owner", json!("Mallory"))];
    let ev = resigned(events[last].clone(), &a);
    a.conn.execute_batch("DROP TRIGGER events_append_only_update").unwrap();
    a.conn
        .execute(
            "UPDATE events SET writes = ?1, hash = ?2, sig = ?3 WHERE origin = ?4 AND seq = ?5",
            rusqlite::params![serde_json::to_string(&ev.writes).unwrap(), ev.hash, ev.sig, ev.origin, ev.seq],
        )
        .unwrap();
    a.rebuild().unwrap();
    let v = a.verify().unwrap();
    let named = format!("{}#{}", &a.origin()[..8], ev.seq);
    assert!(v.problems.iter().any(|p| p.event == named && p.what.contains("witnessed")), "{:?}", v.problems);
    let chain = v.chains.iter().find(|ch| ch.origin == a.origin()).unwrap();
    assert!(chain.witnessed.iter().any(|x| x.by == b.origin() && x.at_ms == w.wall_ms));
    // And the two copies, compared, say where.
    let d = a.differences(&b).unwrap();
    assert!(d.iter().any(|x| x.origin == a.origin() && x.is_rewrite()), "{d:?}");
    assert!(d.iter().find(|x| x.is_rewrite()).unwrap().to_string().contains(&format!("#{}", ev.seq)));
}

#[test]
fn a_database_from_before_signing_signs_its_own_history_once_and_peers_take_the_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let c = clock();
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeys::default());
    let mut old = Store::open_with_keys(&path, keys.clone()).unwrap();
    owner(&mut old, "1.1", "Lan", &c);
    owner(&mut old, "1.2", "Huy", &c);
    // As a warroom from before signing left it: no signatures, no key.
    old.conn
        .execute_batch(
            "DROP TRIGGER events_append_only_update; UPDATE events SET key = '', sig = '';
             DELETE FROM local WHERE key = 'key.public';",
        )
        .unwrap();
    let origin = old.origin().to_owned();
    let unsigned = old.events().unwrap();
    let mut peer = Store::open_in_memory().unwrap();
    assert_eq!(peer.apply_remote(&unsigned, &c).unwrap().applied, 2, "taken while its laptop never signed");
    drop(old);
    let upgraded = Store::open_with_keys(&path, Arc::new(MemoryKeys::default())).unwrap();
    assert_eq!(upgraded.origin(), origin, "a laptop from before signing keeps its id");
    let v = upgraded.verify().unwrap();
    assert!(v.intact(), "{:?}", v.problems);
    assert_eq!(v.chains[0].unsigned, 0);
    let signed = upgraded.events().unwrap();
    assert_eq!(peer.apply_remote(&signed, &c).unwrap().duplicates, 2);
    assert_eq!(peer.verify().unwrap().chains[0].unsigned, 0, "the peer's copies now carry the signatures");
    // From now on an unsigned event claiming that laptop is refused.
    let mut sneaky = unsigned[1].clone();
    (sneaky.seq, sneaky.prev_hash) = (3, signed[1].hash.clone());
    sneaky.hash = super::event_hash(&sneaky);
    assert_eq!(peer.apply_remote(&[sneaky], &c).unwrap().refused.len(), 1);
}

#[test]
fn a_database_opened_without_its_key_becomes_a_new_laptop_and_cannot_write_as_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("handed-over.db");
    let c = clock();
    let mut s = Store::open_with_keys(&path, Arc::new(MemoryKeys::default())).unwrap();
    let first = owner(&mut s, "1.1", "Lan", &c);
    drop(s);
    let mut other = Store::open_with_keys(&path, Arc::new(MemoryKeys::default())).unwrap();
    assert_ne!(other.origin(), first.origin);
    let next = owner(&mut other, "1.2", "Huy", &c);
    assert_eq!((next.origin.as_str(), next.seq), (other.origin(), 1));
    assert!(other.verify().unwrap().intact());
    assert!(matches!(other.public_key(), Some(k) if crate::keys::origin_of(&k) == other.origin()));
}
