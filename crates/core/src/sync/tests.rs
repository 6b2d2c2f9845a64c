//! A deterministic simulation of a room of laptops: seeded, in-process peers on real databases
//! (in RAM where the OS offers it), writing and syncing through partitions of up to three
//! groups, with pages dropped, duplicated and cut short, laptops crashing and restarting, clocks
//! a few seconds apart and one five minutes fast. Afterwards every laptop must hold the same
//! events, no acknowledged event may be missing, and each one's state must equal a replay of
//! its log.

use super::*;
use crate::clock::FakeClock;
use crate::store::state::State;
use chrono::{Duration, TimeZone, Utc};
use serde_json::json;
use std::cell::RefCell;
use std::path::PathBuf;
use warroom_model::{Author, Write};

/// xorshift64*: small, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

struct Config {
    peers: usize,
    writes: usize,
}

struct Laptop {
    store: RefCell<Store>,
    path: PathBuf,
    clock: FakeClock,
    /// Milliseconds this laptop's clock is off.
    skew_ms: i64,
}

/// Runs an exchange with an in-process peer to its end. Nothing in it waits, so a runtime
/// without timers or sockets will do.
fn done<F: std::future::Future>(exchange: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(exchange)
}

fn scratch() -> tempfile::TempDir {
    // RAM-backed when there is one: fsync there costs nothing, and the simulation commits a lot.
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }.unwrap()
}

/// One page from `from` to `to`, through a network that loses, repeats and cuts pages.
fn deliver(rng: &mut Rng, from: &Laptop, to: &Laptop) -> usize {
    let have = to.store.borrow().version_vector().unwrap();
    let page = serve_pull(&from.store.borrow(), &PullRequest { have, limit: 1 + rng.below(120) }).unwrap();
    if rng.chance(10) {
        return 0; // lost
    }
    let mut events = page.events;
    if events.len() > 2 && rng.chance(20) {
        // Cut short in the middle: what follows the hole must wait, not be applied.
        events.remove(rng.below(events.len() - 1));
    }
    let applied = to.store.borrow_mut().apply_remote(&events, &to.clock).unwrap();
    if rng.chance(10) {
        let again = to.store.borrow_mut().apply_remote(&events, &to.clock).unwrap();
        assert_eq!(again.applied, 0, "a repeated page applies nothing new");
    }
    applied.applied
}

fn run(seed: u64, cfg: &Config) {
    let dir = scratch();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 31, 0, 0, 0).unwrap();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let laptops: Vec<Laptop> = (0..cfg.peers)
        .map(|i| {
            let path = dir.path().join(format!("p{i}.db"));
            let skew_ms = if i == 0 { 5 * 60_000 } else { rng.below(4001) as i64 - 2000 };
            Laptop {
                store: RefCell::new(Store::open(&path).unwrap()),
                path,
                clock: FakeClock::new(t0 + Duration::milliseconds(skew_ms)),
                skew_ms,
            }
        })
        .collect();
    let mut groups: Vec<usize> = vec![0; cfg.peers];
    let mut acked: Vec<(String, u64, String)> = Vec::new();
    let author = Author { name: "sim".into(), role: "DBA".into() };
    let mut now = t0;
    let mut written = 0;
    while written < cfg.writes {
        now += Duration::milliseconds(1 + rng.below(400) as i64);
        for l in &laptops {
            l.clock.set(now + Duration::milliseconds(l.skew_ms));
        }
        let p = rng.below(cfg.peers);
        match rng.below(100) {
            0..50 => {
                let id = format!("t{}", rng.below(40));
                let field = ["status", "owner", "notes", "deleted"][rng.below(4)];
                let value = json!(rng.below(1000));
                let w = if rng.chance(20) {
                    Write::add("task", &id, "comments", value)
                } else {
                    Write::set("task", &id, field, value)
                };
                let l = &laptops[p];
                let ev = l.store.borrow_mut().commit(&author, "sim.write", json!(null), vec![w], &l.clock).unwrap();
                acked.push((ev.origin, ev.seq, ev.hash));
                written += 1;
            }
            50..93 => {
                let q = rng.below(cfg.peers);
                if q != p && groups[p] == groups[q] {
                    deliver(&mut rng, &laptops[q], &laptops[p]);
                }
            }
            93..97 => {
                // Crash and restart: what was acknowledged must still be there.
                let l = &laptops[p];
                let before = l.store.borrow().version_vector().unwrap();
                *l.store.borrow_mut() = Store::open_in_memory().unwrap();
                *l.store.borrow_mut() = Store::open(&l.path).unwrap();
                assert_eq!(l.store.borrow().version_vector().unwrap(), before, "seed {seed}: lost on restart");
            }
            _ => {
                let k = 1 + rng.below(3);
                for g in &mut groups {
                    *g = rng.below(k);
                }
            }
        }
    }

    // Heal: everyone reachable, nothing lost or cut on the wire, until nobody learns anything.
    let mut rounds = 0;
    loop {
        let mut learned = 0;
        for a in 0..cfg.peers {
            let b = (a + 1 + rounds) % cfg.peers;
            if a != b {
                let peer = Local { store: &laptops[b].store, clock: &laptops[b].clock };
                // Half the laptops pull only, half exchange both ways (as `warroom serve --peer`).
                let local = &mut *laptops[a].store.borrow_mut();
                learned += if a % 2 == 0 {
                    done(pull_from(local, &peer, &laptops[a].clock)).unwrap().pulled
                } else {
                    let r = done(exchange(local, &peer, &laptops[a].clock)).unwrap();
                    r.pulled + r.pushed
                };
            }
        }
        rounds += 1;
        if learned == 0 && rounds >= cfg.peers {
            break;
        }
        assert!(rounds < 10 * cfg.peers, "seed {seed}: no convergence");
    }

    acked.sort();
    let first: Vec<(String, u64, String)> = {
        let mut v: Vec<_> =
            laptops[0].store.borrow().events().unwrap().into_iter().map(|e| (e.origin, e.seq, e.hash)).collect();
        v.sort();
        v
    };
    assert_eq!(first.len(), acked.len(), "seed {seed}: every acknowledged event, and only those");
    assert_eq!(first, acked, "seed {seed}: every acknowledged event arrived");
    let hash = laptops[0].store.borrow().state_hash().unwrap();
    for (i, l) in laptops.iter().enumerate() {
        let s = l.store.borrow();
        let mut events: Vec<_> = s.events().unwrap();
        let mut ids: Vec<_> = events.iter().map(|e| (e.origin.clone(), e.seq, e.hash.clone())).collect();
        ids.sort();
        assert_eq!(ids, acked, "seed {seed}: laptop {i} holds the same events");
        events.sort_by_key(|e| (e.hlc, e.origin.clone()));
        assert_eq!(s.state().unwrap(), State::replay(&events), "seed {seed}: laptop {i}'s state is its log's");
        assert_eq!(s.integrity_check().unwrap(), "ok");
        assert_eq!(s.state_hash().unwrap(), hash, "seed {seed}: laptop {i} has the same state hash");
    }
}

/// `WARROOM_SIM_SEEDS=N` runs N times as many seeds (a longer soak than CI's).
fn seeds() -> u64 {
    std::env::var("WARROOM_SIM_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(1)
}

#[test]
fn a_room_of_thirty_converges_whatever_the_network_does() {
    for seed in 0..seeds() {
        run(seed, &Config { peers: 30, writes: 10_000 });
    }
}

/// A thousand seeds per run, in rooms small enough to afford them.
#[test]
fn a_thousand_small_rooms_converge() {
    for seed in 0..(1000 * seeds()) {
        run(1000 + seed, &Config { peers: 5, writes: 150 });
    }
}

#[test]
fn a_fast_clock_is_flagged_never_refused() {
    let a = RefCell::new(Store::open_in_memory().unwrap());
    let mut b = Store::open_in_memory().unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 31, 0, 0, 0).unwrap();
    let fast = FakeClock::new(t0 + Duration::minutes(5));
    let ours = FakeClock::new(t0);
    let author = Author { name: "a".into(), role: "DBA".into() };
    a.borrow_mut()
        .commit(&author, "k", json!(null), vec![Write::set("task", "1", "status", json!("done"))], &fast)
        .unwrap();
    let report = done(pull_from(&mut b, &Local { store: &a, clock: &fast }, &ours)).unwrap();
    assert_eq!(report.pulled, 1, "stored even though it comes from the future");
    assert_eq!(report.skew_ms, Some(5 * 60_000));
    // And our next write still orders after it.
    let mine =
        b.commit(&author, "k", json!(null), vec![Write::set("task", "1", "status", json!("undo"))], &ours).unwrap();
    assert_eq!(b.state().unwrap(), State::replay(&b.events().unwrap()));
    assert!(mine.hlc > a.borrow().events().unwrap()[0].hlc, "the HLC moved past the fast clock");
}

#[test]
fn push_serves_a_peer_that_cannot_reach_us() {
    let mut a = Store::open_in_memory().unwrap();
    let relay = RefCell::new(Store::open_in_memory().unwrap());
    let c = FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 31, 0, 0, 0).unwrap());
    let author = Author { name: "a".into(), role: "DBA".into() };
    for i in 0..(PAGE + 20) {
        a.commit(&author, "k", json!(null), vec![Write::set("task", &format!("{i}"), "status", json!("done"))], &c)
            .unwrap();
    }
    let report = done(push_to(&a, &Local { store: &relay, clock: &c }, &c)).unwrap();
    assert_eq!(report.pushed, PAGE + 20, "in more than one page");
    assert_eq!(relay.borrow().version_vector().unwrap(), a.version_vector().unwrap());
    assert_eq!(done(push_to(&a, &Local { store: &relay, clock: &c }, &c)).unwrap().pushed, 0, "nothing twice");
}

#[test]
fn events_of_kinds_a_laptop_does_not_know_are_kept_and_passed_on_unchanged() {
    let c = FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 31, 0, 0, 0).unwrap());
    let (newer, older, third) = (
        RefCell::new(Store::open_in_memory().unwrap()),
        RefCell::new(Store::open_in_memory().unwrap()),
        RefCell::new(Store::open_in_memory().unwrap()),
    );
    let author = Author { name: "a".into(), role: "DBA".into() };
    let runbook = crate::demo::runbook().unwrap();
    newer.borrow_mut().import(&runbook, &author, false, &c).unwrap();
    let future = newer
        .borrow_mut()
        .commit(
            &author,
            "drill.vote",
            json!({"summary": "a kind from a newer version", "ballot": [1, 2]}),
            vec![
                Write::set("drill", "d1", "votes", json!({"yes": 3})),
                Write::add("drill", "d1", "voters", json!("Lan")),
            ],
            &c,
        )
        .unwrap();
    done(pull_from(&mut older.borrow_mut(), &Local { store: &newer, clock: &c }, &c)).unwrap();
    done(pull_from(&mut third.borrow_mut(), &Local { store: &older, clock: &c }, &c)).unwrap();
    let relayed = third.borrow().events().unwrap();
    assert_eq!(relayed.last(), Some(&future), "relayed byte for byte (same hash)");
    assert_eq!(third.borrow().state().unwrap(), newer.borrow().state().unwrap());
    let snap = crate::live::Snapshot::load(&third.borrow()).unwrap();
    assert_eq!(snap.runbook.title, runbook.runbook.title, "the runbook reads as before, the unknown entity aside");
}

/// Every input the fuzzers (fuzz/, cargo-fuzz) ever kept, replayed: decoding a page and applying
/// what decodes, and parsing a join code, end in a value or an error, never a panic; and the
/// kept signed pages (a bad signature, a weak or garbage key, a key swapped for a signature, a
/// large page checked over several threads) are taken or refused exactly as they should be.
#[test]
fn fuzz_regressions_are_refused_without_a_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut store = Store::open_in_memory().unwrap();
    let clock = FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 31, 0, 0, 0).unwrap());
    let (mut replayed, mut signed) = (0, 0);
    for (target, entry) in ["decode_page", "join_code"]
        .into_iter()
        .flat_map(|t| std::fs::read_dir(dir.join(t)).unwrap().map(move |e| (t, e.unwrap().path())))
    {
        let data = std::fs::read(&entry).unwrap();
        match target {
            "decode_page" => {
                if let Ok(page) = serde_json::from_slice::<Page>(&data) {
                    let _applied_or_refused = store.apply_remote(&page.events, &clock);
                }
                // The signed pages: what a new laptop takes of each, and what it refuses.
                let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                let expected = match name {
                    "signed-good.json" => Some((3, 0)),
                    // One refused; the events after it wait for it (a gap), none is taken.
                    "signed-one-bad-signature.json" => Some((1, 1)),
                    "signed-weak-key.json" | "signed-garbage-key-and-sig.json" => Some((0, 1)),
                    "signed-key-swapped.json" => Some((2, 1)),
                    // Checked over several threads: exactly the one bad signature is refused.
                    "signed-large-page-one-bad.json" => Some((150, 1)),
                    _ => None,
                };
                if let Some((applied, refused)) = expected {
                    let page: Page = serde_json::from_slice(&data).unwrap();
                    let mut fresh = Store::open_in_memory().unwrap();
                    let a = fresh.apply_remote(&page.events, &clock).unwrap();
                    assert_eq!((a.applied, a.refused.len()), (applied, refused), "{name}: {a:?}");
                    signed += 1;
                }
            }
            _ => {
                let _parsed_or_refused = String::from_utf8_lossy(&data).parse::<room::JoinCode>();
            }
        }
        replayed += 1;
    }
    assert!(replayed >= 12, "the kept inputs were found: {replayed}");
    assert_eq!(signed, 6, "the signed pages were found");
    assert_eq!(store.integrity_check().unwrap(), "ok");
}
