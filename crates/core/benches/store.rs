//! Benchmarks: importing a 10,000-task runbook into SQLite (goal < 300 ms), rebuilding the
//! merged state from 100,000 events (goal < 1 s), and the live `status` of a 10,000-task run
//! (goal < 20 ms).

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::time::Duration;

// The allocator the warroom binaries ship with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use warroom_core::{Clock, FakeClock, Store, demo, import_markdown};
use warroom_model::{Author, Write};

fn import_10k(c: &mut Criterion) {
    let md = demo::synthetic_markdown(10_000);
    let clock = FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 31, 6, 0, 0).single().unwrap_or_default());
    let author = Author { name: "bench".into(), role: "DBA".into() };
    let dir = tempfile::tempdir().ok();
    let mut n = 0;
    let mut g = c.benchmark_group("import");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("parse 10k-task markdown", |b| {
        b.iter(|| import_markdown("bench.md", md.as_bytes()).map(|i| i.runbook.phases.len()))
    });
    let mut fresh = || {
        n += 1;
        let path = dir.as_ref().map(|d| d.path().join(format!("b{n}.db"))).unwrap_or_default();
        Store::open(&path).ok()
    };
    g.bench_function("parse + durable commit of a 10k-task runbook (file db, WAL, synchronous=FULL)", |b| {
        b.iter_batched(
            &mut fresh,
            |store| {
                let mut store = store?;
                let imported = import_markdown("bench.md", md.as_bytes()).ok()?;
                store.import(&imported, &author, false, &clock).ok()?;
                // Returned, so closing (and its WAL checkpoint) falls outside the measurement.
                Some(store)
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.bench_function("the same, then close the database (WAL checkpoint)", |b| {
        b.iter_batched(
            &mut fresh,
            |store| {
                let mut store = store?;
                let imported = import_markdown("bench.md", md.as_bytes()).ok()?;
                store.import(&imported, &author, false, &clock).ok().map(|e| e.seq)
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn rebuild_100k(c: &mut Criterion) {
    let clock = FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 31, 6, 0, 0).single().unwrap_or_default());
    let author = Author { name: "bench".into(), role: "DBA".into() };
    let Ok(mut store) = Store::open_in_memory() else {
        return;
    };
    let statuses = ["active", "done", "blocked", "pending"];
    for i in 0..100_000u32 {
        let id = format!("{}.{}", i % 200, i % 50);
        let mut writes = vec![Write::set("task", &id, "status", json!(statuses[(i % 4) as usize]))];
        if i % 5 == 0 {
            writes.push(Write::add("task", &id, "comments", json!(format!("note {i}"))));
        }
        clock.advance(chrono::Duration::milliseconds(150));
        if store.commit(&author, "task.status", json!({ "i": i }), writes, &clock).is_err() {
            return;
        }
    }
    let mut g = c.benchmark_group("rebuild");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("rebuild state from 100k events", |b| b.iter(|| store.rebuild().map(|s| s.fields.len()).ok()));
    g.finish();
}

fn status_10k(c: &mut Criterion) {
    use warroom_core::live::actions::{Actions, TaskAction};
    use warroom_core::live::{Snapshot, status};
    use warroom_model::live::RunKind;
    let clock = FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).single().unwrap_or_default());
    let author = Author { name: "bench".into(), role: "DBA".into() };
    let Ok(mut store) = Store::open_in_memory() else { return };
    let Ok(imported) = import_markdown("bench.md", demo::synthetic_markdown(10_000).as_bytes()) else { return };
    if store.import(&imported, &author, false, &clock).is_err() {
        return;
    }
    let mut a = Actions::new(&mut store, author, &clock);
    let Ok(run) = a.run_start(RunKind::Live, "2026-01-31", "Asia/Ho_Chi_Minh", None) else { return };
    // The first 300 tasks done, 3 minutes late each.
    for t in imported.runbook.tasks().take(300) {
        if t.checkpoint {
            continue;
        }
        clock.advance(chrono::Duration::minutes(2));
        let _started_or_refused = a.task(Some(&run.id), &t.id, TaskAction::Start, None, None);
        clock.advance(chrono::Duration::minutes(2));
        let _done_or_refused = a.task(Some(&run.id), &t.id, TaskAction::Done, None, None);
    }
    let Ok(snap) = Snapshot::load(&store) else { return };
    let now = clock.now();
    let mut g = c.benchmark_group("status");
    g.sample_size(20);
    g.bench_function("status of a 10k-task run (snapshot in memory)", |b| {
        b.iter(|| status(&snap, &run, now).map(|s| s.tasks.len()).ok())
    });
    g.sample_size(10);
    g.bench_function("load snapshot of a 10k-task run from SQLite", |b| {
        b.iter(|| Snapshot::load(&store).map(|s| s.event_count).ok())
    });
    g.finish();
}

criterion_group!(benches, import_10k, rebuild_100k, status_10k);
criterion_main!(benches);
