//! Foundation benchmarks: importing a 10,000-task runbook into SQLite (goal < 300 ms) and
//! rebuilding the merged state from 100,000 events (goal < 1 s).

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::time::Duration;
use warroom_core::{FakeClock, Store, demo, import_markdown};
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
    g.bench_function("parse + commit 10k-task runbook (file db, WAL, synchronous=FULL)", |b| {
        b.iter(|| {
            n += 1;
            let path = dir.as_ref().map(|d| d.path().join(format!("b{n}.db"))).unwrap_or_default();
            let mut store = Store::open(&path).ok()?;
            let imported = import_markdown("bench.md", md.as_bytes()).ok()?;
            store.import(&imported, &author, false, &clock).ok().map(|e| e.seq)
        })
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

criterion_group!(benches, import_10k, rebuild_100k);
criterion_main!(benches);
