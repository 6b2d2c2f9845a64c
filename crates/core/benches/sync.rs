//! Benchmarks of the sync layer that do not need a network: a durable local commit (WAL,
//! synchronous=FULL; goal p95 < 5 ms), a new laptop catching up on 100,000 events in pages
//! (goal < 5 s), the bytes a page of events takes as JSON, and what signing and checking one
//! event's signature costs. Percentiles are printed before
//! criterion's own report, which cannot give them.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group};
use serde_json::json;
use std::cell::RefCell;
use std::time::{Duration, Instant};
use warroom_core::sync::{self, Local, PullRequest};
use warroom_core::{Clock, FakeClock, Store};
use warroom_model::{Author, Write};

// The allocator the warroom binaries ship with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn clock() -> FakeClock {
    FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 31, 6, 0, 0).single().unwrap_or_default())
}

fn author() -> Author {
    Author { name: "Nguyễn Huy".into(), role: "DBA".into() }
}

/// A task finished: the kind of event a go-live is made of. Like the app's, it writes the run's
/// record of the task (`task_run`), not the runbook's task.
fn done(store: &mut Store, i: usize, c: &dyn Clock) -> Option<()> {
    let id = format!("live-1/{}.{}", i / 10 % 100, i % 10);
    let writes = vec![
        Write::set("task_run", &id, "status", json!("done")),
        Write::set("task_run", &id, "actual_finish", json!(c.now().to_rfc3339())),
        Write::set("task_run", &id, "finished_by", json!({"name": "Nguyễn Huy", "role": "DBA", "device": "3f2a9c1e"})),
    ];
    store
        .commit(
            &author(),
            "task.done",
            json!({"run": "live-1", "task": id, "summary": format!("{id} done")}),
            writes,
            c,
        )
        .ok()?;
    Some(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn durable_commit_percentiles() {
    let Ok(dir) = tempfile::tempdir_in(std::env::temp_dir()) else { return };
    let Ok(mut store) = Store::open(&dir.path().join("bench.db")) else { return };
    let c = clock();
    let mut times = Vec::with_capacity(2000);
    for i in 0..2000 {
        let t = Instant::now();
        done(&mut store, i, &c);
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "durable local commit (file db in {}, WAL, synchronous=FULL), 2000 commits: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        std::env::temp_dir().display(),
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
    );
}

fn source(n: usize) -> Option<Store> {
    let mut store = Store::open_in_memory().ok()?;
    let c = clock();
    for i in 0..n {
        done(&mut store, i, &c)?;
    }
    Some(store)
}

fn wire_bytes() {
    let Some(store) = source(sync::PAGE) else { return };
    let Ok(page) = sync::serve_pull(&store, &PullRequest { have: Default::default(), limit: sync::PAGE }) else {
        return;
    };
    let Ok(bytes) = serde_json::to_vec(&page) else { return };
    println!(
        "a page of {} task.done events as JSON: {} bytes, {} bytes per event",
        page.events.len(),
        bytes.len(),
        bytes.len() / page.events.len().max(1)
    );
}

/// What signing and checking one event costs (Ed25519 over the event's hash).
fn signatures() {
    let Ok(keys) = warroom_core::keys::LaptopKeys::generate() else { return };
    let key = keys.public_hex();
    let hashes: Vec<String> = (0..20_000).map(|i| format!("{i:064x}")).collect();
    let started = Instant::now();
    let sigs: Vec<String> = hashes.iter().map(|h| keys.sign_hash(h)).collect();
    let sign = started.elapsed() / 20_000;
    let started = Instant::now();
    let ok = hashes.iter().zip(&sigs).filter(|(h, s)| warroom_core::keys::verify_hash(&key, h, s)).count();
    let verify = started.elapsed() / 20_000;
    assert_eq!(ok, 20_000);
    println!("signatures: signing an event {sign:?}, checking one {verify:?} (mean of 20,000)");
}

/// This process's CPU time so far (user and system, all threads), where the system tells it.
fn cpu_time() -> Option<Duration> {
    // Fields 14 and 15 of /proc/self/stat, in clock ticks (100 per second on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// One catch-up, timed by the wall clock and by the CPU it used: on a loaded machine the two
/// differ, and the CPU time says what the catch-up itself costs.
fn catch_up_once(src: &RefCell<Store>, clk: &FakeClock) {
    let Ok(dir) = tempfile::tempdir_in(std::env::temp_dir()) else { return };
    let keys = std::sync::Arc::new(warroom_core::keys::MemoryKeys::default());
    let Ok(mut target) = Store::open_with_keys(&dir.path().join("once.db"), keys) else { return };
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().build() else { return };
    let (wall, cpu) = (Instant::now(), cpu_time());
    let Ok(report) = rt.block_on(sync::pull_from(&mut target, &Local { store: src, clock: clk }, clk)) else { return };
    let (wall, cpu) = (wall.elapsed(), cpu_time().zip(cpu).map(|(b, a)| b.saturating_sub(a)));
    println!(
        "catch-up of {} events (serving side in the same process): wall {:.2} s, CPU {} (load average now: {})",
        report.pulled,
        wall.as_secs_f64(),
        cpu.map_or_else(|| "unknown".to_owned(), |c| format!("{:.2} s", c.as_secs_f64())),
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split_whitespace().next().unwrap_or("?"),
    );
}

fn catch_up(c: &mut Criterion) {
    let Some(src) = source(100_000) else { return };
    let src = RefCell::new(src);
    let clk = clock();
    catch_up_once(&src, &clk);
    let Ok(dir) = tempfile::tempdir_in(std::env::temp_dir()) else { return };
    // The in-process peer never waits: a runtime without timers or sockets drives it.
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().build() else { return };
    let mut n = 0;
    let mut g = c.benchmark_group("sync");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("a new laptop catches up on 100,000 events (durable file db, pages of 500)", |b| {
        b.iter_batched(
            || {
                n += 1;
                let keys = std::sync::Arc::new(warroom_core::keys::MemoryKeys::default());
                Store::open_with_keys(&dir.path().join(format!("new{n}.db")), keys).ok()
            },
            |target| {
                let mut target = target?;
                let report =
                    rt.block_on(sync::pull_from(&mut target, &Local { store: &src, clock: &clk }, &clk)).ok()?;
                assert_eq!(report.pulled, 100_000);
                Some(target)
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, catch_up);

fn main() {
    durable_commit_percentiles();
    wire_bytes();
    signatures();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
