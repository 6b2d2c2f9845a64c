//! Benchmarks of what a person's action costs through the `Service` every shell uses: one
//! recorded action (`Service::act`, as `POST /api/act` runs it) on a 1,000-task run with about
//! 2,600 events in a durable file database (goal < 20 ms), and the live picture of a
//! 10,000-task run (`Service::status`), read again with nothing changed and right after a
//! change.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use warroom_core::service::Service;
use warroom_core::{Clock, FakeClock, Store, demo};
use warroom_model::api::{Action, ImportRequest, Me, Request, TaskVerb};
use warroom_model::live::{Run, RunKind, TaskStatus};
use warroom_model::{Author, Write};

// The allocator the warroom binaries ship with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn author() -> Author {
    Author { name: "Lan".into(), role: "Tech Lead".into() }
}

fn req(action: Action) -> Request {
    Request { at: None, run: None, by: Some(author()), action }
}

/// A service over `store` holding a synthetic runbook of `tasks` tasks and a started live run
/// in which the first `done` tasks were started and finished and `comments` comments were made:
/// the history a run builds up, arriving as another laptop's events so that setting up takes
/// seconds.
fn run_with_history(
    store: Store,
    tasks: usize,
    done: usize,
    comments: usize,
) -> Option<(Service, Run, Arc<FakeClock>)> {
    let clock = Arc::new(FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).single()?));
    let mut svc = Service::new(store, clock.clone()).ok()?;
    svc.set_me(&Me { name: "Lan".into(), role: "Tech Lead".into() }).ok()?;
    let text = demo::synthetic_markdown(tasks);
    let imported =
        svc.import(&ImportRequest { name: "synthetic.md".into(), text, replace: false, ..Default::default() }).ok()?;
    assert!(imported.imported, "{}", imported.summary);
    let start = Action::RunStart {
        kind: RunKind::Live,
        date: "2026-01-31".into(),
        tz: "Asia/Ho_Chi_Minh".into(),
        durations_from: None,
    };
    svc.act(&req(start)).ok()?;
    let run = svc.status(None, None).ok()??.run;
    let ids: Vec<warroom_model::TaskId> =
        svc.loaded().ok()?.runbook.tasks().filter(|t| !t.checkpoint).map(|t| t.id.clone()).take(done).collect();
    let stamp =
        |c: &FakeClock| json!({ "name": "Lan", "role": "Tech Lead", "device": "3f2a9c1e", "at": c.now().to_rfc3339() });
    let mut history = Vec::new();
    for id in &ids {
        let k = format!("{}/{id}", run.id);
        clock.advance(chrono::Duration::minutes(1));
        history.push((
            "task.start",
            json!({ "run": run.id, "task": id, "to": "in_progress", "undo": [], "summary": format!("{id} in_progress") }),
            vec![
                Write::set("task_run", &k, "status", json!("in_progress")),
                Write::set("task_run", &k, "actual_start", json!(clock.now())),
                Write::set("task_run", &k, "started_by", stamp(&clock)),
                Write::set("task_run", &k, "reason", json!(null)),
            ],
        ));
        clock.advance(chrono::Duration::minutes(1));
        history.push((
            "task.done",
            json!({ "run": run.id, "task": id, "to": "done", "undo": [], "summary": format!("{id} done") }),
            vec![
                Write::set("task_run", &k, "status", json!("done")),
                Write::set("task_run", &k, "reason", json!(null)),
                Write::set("task_run", &k, "actual_finish", json!(clock.now())),
                Write::set("task_run", &k, "finished_by", stamp(&clock)),
            ],
        ));
    }
    for i in 0..comments {
        let id = &ids[i % ids.len().max(1)];
        let comment = json!({ "text": format!("checked the row counts ({i})"), "by": stamp(&clock) });
        history.push((
            "task.comment",
            json!({ "run": run.id, "task": id, "summary": format!("{id}: checked") }),
            vec![Write::add("task_run", &format!("{}/{id}", run.id), "comments", comment)],
        ));
    }
    // Written as another laptop's events, arriving the way sync delivers them.
    let mut other = Store::open_in_memory().ok()?;
    let mut events = Vec::with_capacity(history.len());
    for (kind, payload, writes) in history {
        events.push(other.commit(&author(), kind, payload, writes, clock.as_ref()).ok()?);
    }
    for page in events.chunks(500) {
        svc.sync_push(page).ok()?;
    }
    Some((svc, run, clock))
}

fn act_1k(c: &mut Criterion) {
    let Ok(dir) = tempfile::tempdir_in(std::env::temp_dir()) else { return };
    let Ok(store) = Store::open(&dir.path().join("act.db")) else { return };
    // 1 import + 1 run start + 2 × 800 task transitions + 1,000 comments ≈ 2,600 events.
    let Some((mut svc, _run, clock)) = run_with_history(store, 1_000, 800, 1_000) else { return };
    let events = svc.store().event_count().unwrap_or_default();
    let pending = svc
        .status(None, None)
        .ok()
        .flatten()
        .and_then(|st| st.tasks.iter().find(|t| !t.checkpoint && t.status == TaskStatus::Pending).map(|t| t.id.clone()))
        .unwrap_or_default();
    let mut g = c.benchmark_group("act");
    g.sample_size(30).measurement_time(Duration::from_secs(15));
    let mut n = 0u64;
    g.bench_function(format!("comment on a task, 1k-task run, {events} events, file db"), |b| {
        b.iter(|| {
            n += 1;
            clock.advance(chrono::Duration::seconds(1));
            let text = format!("note {n}");
            svc.act(&req(Action::Comment { task: pending.clone(), text })).map(|d| d.summary.len()).ok()
        })
    });
    let mut started = false;
    g.bench_function(format!("start a task, then undo it, 1k-task run, {events} events, file db"), |b| {
        b.iter(|| {
            clock.advance(chrono::Duration::seconds(1));
            let verb = if started { TaskVerb::Undo } else { TaskVerb::Start };
            started = !started;
            svc.act(&req(Action::Task { task: pending.clone(), verb, note: None, at: None })).map(|d| d.summary).ok()
        })
    });
    g.finish();
}

fn status_10k(c: &mut Criterion) {
    let Ok(store) = Store::open_in_memory() else { return };
    let Some((mut svc, _run, clock)) = run_with_history(store, 10_000, 300, 0) else { return };
    let task = svc.loaded().ok().and_then(|l| l.runbook.tasks().nth(400).map(|t| t.id.clone())).unwrap_or_default();
    let mut g = c.benchmark_group("service status");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("status of a 10k-task run, nothing changed since the last read", |b| {
        b.iter(|| svc.status(None, None).ok().flatten().map(|s| s.tasks.len()))
    });
    let mut n = 0u64;
    g.bench_function("a comment recorded, then the status of the 10k-task run (act)", |b| {
        b.iter(|| {
            n += 1;
            clock.advance(chrono::Duration::seconds(1));
            let text = format!("note {n}");
            svc.act(&req(Action::Comment { task: task.clone(), text }))
                .ok()
                .and_then(|d| d.status)
                .map(|s| s.tasks.len())
        })
    });
    g.finish();
}

criterion_group!(benches, act_1k, status_10k);
criterion_main!(benches);
