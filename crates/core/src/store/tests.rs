use super::*;
use crate::clock::FakeClock;
use crate::demo;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use warroom_model::Write;

fn clock() -> FakeClock {
    FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 31, 6, 0, 0).unwrap())
}

fn me() -> Author {
    Author { name: "Lan".into(), role: "Tech Lead".into() }
}

fn set(id: &str, field: &str, v: Value) -> Write {
    Write::set("task", id, field, v)
}

#[test]
fn a_copied_or_restored_file_becomes_a_new_laptop_and_keeps_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let (path, copy) = (dir.path().join("a.db"), dir.path().join("copy.db"));
    let c = clock();
    let (origin, first) = {
        let mut a = Store::open(&path).unwrap();
        a.set_local("sync.cert", "old").unwrap();
        let ev = a.commit(&me(), "k", json!(null), vec![set("1", "status", json!("done"))], &c).unwrap();
        (a.origin().to_owned(), ev)
    };
    std::fs::copy(&path, &copy).unwrap();
    let mut b = Store::open(&copy).unwrap();
    assert_ne!(b.origin(), origin, "the copy writes as another laptop");
    assert_eq!(b.local("sync.cert").unwrap(), None, "and does not carry the other laptop's certificate");
    assert_eq!(b.events().unwrap(), vec![first.clone()], "the history is kept");
    let next = b.commit(&me(), "k", json!(null), vec![set("1", "status", json!("undo"))], &c).unwrap();
    assert_eq!((next.seq, next.prev_hash.as_str()), (1, ""), "its own sequence starts afresh");
    let again = Store::open(&copy).unwrap();
    assert_eq!(again.origin(), b.origin(), "reopening the same file is the same laptop");
    assert_eq!(Store::open(&path).unwrap().origin(), origin, "the original is untouched");
}

#[test]
fn migrations_apply_to_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/warroom.db");
    let s = Store::open(&path).unwrap();
    let v: i64 = s.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v as usize, SCHEMA_VERSION);
    let mode: String = s.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let page: i64 = s.conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    assert_eq!(page, migrate::PAGE_BYTES, "a new file gets warroom's page size");
    for table in ["events", "fields", "members", "local", "tasks", "phases", "event_log"] {
        let n: i64 =
            s.conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = ?1", [table], |r| r.get(0)).unwrap();
        assert_eq!(n, 1, "{table}");
    }
    let origin = s.origin().to_owned();
    drop(s);
    assert_eq!(Store::open(&path).unwrap().origin(), origin, "origin survives reopening");
}

#[test]
fn a_newer_database_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    drop(Store::open(&path).unwrap());
    Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::TooNew { found: 99, .. }), "{e}");
    assert!(e.to_string().contains("newer warroom"), "{e}");
}

#[test]
fn a_corrupt_file_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert!(e.to_string().contains("not a warroom database"), "{e}");
}

#[test]
fn writes_to_a_read_only_database_say_so_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    drop(Store::open(&path).unwrap());
    let ro = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut s = Store::init(ro, path.display().to_string(), Some(&path), Some(super::migrate::default_keys())).unwrap();
    let e =
        s.commit(&me(), "task.start", json!({}), vec![set("1.1", "status", json!("active"))], &clock()).unwrap_err();
    assert!(matches!(e, StoreError::ReadOnly { .. }), "{e}");
    assert_eq!(Store::open(&path).unwrap().event_count().unwrap(), 0);
}

#[test]
fn commits_chain_hashes_and_keep_the_clock_monotonic() {
    let mut s = Store::open_in_memory().unwrap();
    let c = clock();
    let a = s.commit(&me(), "k", json!(1), vec![set("1.1", "status", json!("active"))], &c).unwrap();
    // The wall clock jumps back an hour: the HLC still moves forward.
    c.advance(chrono::Duration::hours(-1));
    let b = s.commit(&me(), "k", json!(2), vec![set("1.1", "status", json!("done"))], &c).unwrap();
    assert_eq!((a.seq, b.seq), (1, 2));
    assert_eq!(a.prev_hash, "");
    assert_eq!(b.prev_hash, a.hash);
    assert!(b.hlc > a.hlc);
    assert_eq!(event_hash(&b), b.hash);
    let fields = s.field_values().unwrap();
    assert_eq!(fields[&("task".into(), "1.1".into(), "status".into())], json!("done"));
    assert_eq!(s.events().unwrap(), vec![a, b]);
}

#[test]
fn the_log_refuses_edits_and_deletes() {
    let mut s = Store::open_in_memory().unwrap();
    s.commit(&me(), "k", json!(1), vec![set("1.1", "status", json!("active"))], &clock()).unwrap();
    let e = s.conn.execute("UPDATE events SET kind = 'x'", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert!(s.conn.execute("DELETE FROM events", []).is_err());
}

#[test]
fn import_stores_the_runbook_as_one_event_and_replace_writes_only_changes() {
    let mut s = Store::open_in_memory().unwrap();
    let imported = demo::runbook().unwrap();
    let ev = s.import(&imported, &me(), false, &clock()).unwrap();
    assert_eq!(ev.kind, "runbook.import");
    assert_eq!(s.require_runbook().unwrap(), imported.runbook);
    let e = s.import(&imported, &me(), false, &clock()).unwrap_err();
    assert!(matches!(e, StoreError::HasRunbook { .. }), "{e}");
    assert_eq!(s.event_count().unwrap(), 1, "a refused import changes nothing");
    let mut edited = imported.clone();
    edited.runbook.phases[1].tasks[2].owner = "QA Lead".into();
    let ev = s.import(&edited, &me(), true, &clock()).unwrap();
    assert_eq!(ev.kind, "runbook.reimport");
    let changed: Vec<_> = ev.writes.iter().map(|w| (w.id.as_str(), w.field.as_str())).collect();
    assert_eq!(changed, vec![("2.3", "owner")]);
    assert_eq!(s.require_runbook().unwrap(), edited.runbook);
}

#[test]
fn rebuild_from_the_log_gives_the_stored_state() {
    let mut s = Store::open_in_memory().unwrap();
    s.import(&demo::runbook().unwrap(), &me(), false, &clock()).unwrap();
    s.commit(&me(), "task.comment", json!({}), vec![Write::add("task", "1.1", "comments", json!("late"))], &clock())
        .unwrap();
    let stored = s.state().unwrap();
    assert_eq!(s.rebuild().unwrap(), stored);
    assert_eq!(s.state().unwrap(), stored);
    assert_eq!(State::replay(&s.events().unwrap()), stored);
}

#[test]
fn remote_events_apply_once_in_order_and_tampering_is_refused() {
    let mut a = Store::open_in_memory().unwrap();
    let c = clock();
    let e1 = a.commit(&me(), "k", json!(1), vec![set("1.1", "status", json!("active"))], &c).unwrap();
    let e2 = a.commit(&me(), "k", json!(2), vec![set("1.1", "status", json!("done"))], &c).unwrap();
    let mut b = Store::open_in_memory().unwrap();
    // The second alone would leave a gap: deferred, not applied.
    assert_eq!(
        b.apply_remote(std::slice::from_ref(&e2), &c).unwrap(),
        Applied { applied: 0, duplicates: 0, deferred: 1, ..Applied::default() }
    );
    assert_eq!(
        b.apply_remote(&[e2.clone(), e1.clone(), e1.clone()], &c).unwrap(),
        Applied { applied: 2, duplicates: 1, deferred: 0, ..Applied::default() }
    );
    assert_eq!(b.state().unwrap(), a.state().unwrap());
    let mut forged = e2.clone();
    forged.writes[0].value = json!("skipped");
    assert!(matches!(b.apply_remote(&[forged.clone()], &c).unwrap_err(), StoreError::BadHash { .. }));
    forged.hash = event_hash(&forged);
    // Re-hashed, but not signed by its laptop: set aside for the alarm, nothing else changes.
    let a2 = b.apply_remote(std::slice::from_ref(&forged), &c).unwrap();
    assert_eq!(a2.refused.len(), 1, "{a2:?}");
    assert!(a2.refused[0].reason.contains("signature"), "{a2:?}");
    assert_eq!(b.refused_events().unwrap().len(), 1);
    assert_eq!(b.state().unwrap(), a.state().unwrap());
    // Signed by its own laptop twice over (two databases holding one key): a conflict.
    forged.sig = a.laptop_keys().unwrap().sign_hash(&forged.hash);
    let e = b.apply_remote(&[forged], &c).unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e}");
    assert_eq!(b.event_count().unwrap(), 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// Several devices' events delivered to a new store in any order, duplicated, in batches:
    /// once all arrive, its state equals a replay of the log.
    #[test]
    fn store_converges_whatever_the_delivery(
        ops in prop::collection::vec((0..3usize, 0..5usize, 0..3usize, 0..6i64, any::<bool>()), 1..40),
        order in any::<u64>(),
    ) {
        let c = clock();
        let mut devices: Vec<Store> = (0..3).map(|_| Store::open_in_memory().unwrap()).collect();
        let mut all = Vec::new();
        for (dev, id, field, v, add) in ops {
            let field = ["status", "owner", "notes"][field];
            let id = format!("{id}");
            let w = if add { Write::add("task", &id, field, json!(v)) } else { Write::set("task", &id, field, json!(v)) };
            c.advance(chrono::Duration::milliseconds((v % 3) - 1));
            all.push(devices[dev].commit(&me(), "k", json!(null), vec![w], &c).unwrap());
        }
        let mut pending = all.clone();
        pending.extend(all.iter().step_by(3).cloned());
        let mut x = order | 1;
        for i in (1..pending.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            pending.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut target = Store::open_in_memory().unwrap();
        let mut rounds = 0;
        while target.event_count().unwrap() < all.len() as u64 {
            for chunk in pending.chunks(5) {
                target.apply_remote(chunk, &c).unwrap();
            }
            rounds += 1;
            prop_assert!(rounds <= all.len() + 1, "no progress");
        }
        prop_assert_eq!(target.state().unwrap(), State::replay(&all));
    }
}

#[test]
fn the_bundled_sqlite_is_built_with_the_workspace_options() {
    // .cargo/config.toml sets them; built without it, SQLite still works, only slower.
    let s = Store::open_in_memory().unwrap();
    let options: Vec<String> = s
        .conn
        .prepare("PRAGMA compile_options")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
    assert!(options.iter().any(|o| o == "DEFAULT_LOOKASIDE=1200,200"), "{options:?}");
}
