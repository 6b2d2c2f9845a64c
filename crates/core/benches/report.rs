//! Benchmark: the audit record of a 1,000-task run with 20,000 events, from the database to a
//! PDF (goal < 3 s on the 2-core build machine).

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::time::Duration;
use warroom_core::live::actions::{Actions, TaskAction};
use warroom_core::report::{self, pdf};
use warroom_core::{Clock, FakeClock, Store, demo, import_markdown};
use warroom_model::live::RunKind;
use warroom_model::{Author, Write};

// The allocator the warroom binaries ship with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn record_1k(c: &mut Criterion) {
    let clock = FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).single().unwrap_or_default());
    let author = Author { name: "Trần Thị Thảo".into(), role: "QA Lead".into() };
    let Ok(mut store) = Store::open_in_memory() else { return };
    let Ok(imported) = import_markdown("bench.md", demo::synthetic_markdown(1_000).as_bytes()) else { return };
    if store.import(&imported, &author, false, &clock).is_err() {
        return;
    }
    let mut a = Actions::new(&mut store, author.clone(), &clock);
    let Ok(run) = a.run_start(RunKind::Live, "2026-01-31", "Asia/Ho_Chi_Minh", None) else { return };
    let ids: Vec<warroom_model::TaskId> =
        imported.runbook.tasks().filter(|t| !t.checkpoint).map(|t| t.id.clone()).collect();
    for id in ids.iter().take(400) {
        clock.advance(chrono::Duration::minutes(1));
        let _done_or_refused = a.task(Some(&run.id), id, TaskAction::Done, None, None);
    }
    // The rest of the 20,000 events: comments spread over the tasks.
    let mut n = store.event_count().unwrap_or(0);
    let mut i = 0usize;
    while n < 20_000 {
        let id = &ids[i % ids.len()];
        clock.advance(chrono::Duration::seconds(2));
        let text = format!("Đã kiểm tra bước {id}, số bản ghi khớp ({i})");
        let w = vec![Write::add(
            "task_run",
            &format!("{}/{id}", run.id),
            "comments",
            json!({ "text": text, "by": { "name": author.name, "role": author.role, "device": "bench", "at": clock.now().to_rfc3339() } }),
        )];
        if store
            .commit(&author, "task.comment", json!({ "summary": text, "run": run.id, "task": id }), w, &clock)
            .is_err()
        {
            return;
        }
        n += 1;
        i += 1;
    }
    let now = clock.now();
    let mut g = c.benchmark_group("report");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("audit record PDF of a 1k-task run with 20k events (load, lay out, render)", |b| {
        b.iter(|| {
            let rec = report::Record::load(&store, None, now).ok()?;
            pdf::render(&report::document(&rec), pdf::Paper::A4).ok().map(|p| p.len())
        })
    });
    g.finish();
}

criterion_group!(benches, record_1k);
criterion_main!(benches);
