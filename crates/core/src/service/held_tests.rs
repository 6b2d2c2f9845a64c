//! The state a service holds in memory, brought along event by event, is what reading the
//! store again gives: after any sequence of actions, refusals, runbook edits and events another
//! laptop pushes. And the runbook's version moves when the runbook changed, and only with
//! edits of it.

use super::*;
use crate::FakeClock;
use chrono::TimeZone;
use proptest::prelude::*;
use warroom_model::TaskId;
use warroom_model::api::EditKind;
use warroom_model::api::TaskVerb;
use warroom_model::live::{Decision, RunKind, Severity};

fn by(name: &str) -> Option<Author> {
    Some(Author { name: name.into(), role: "Tech Lead".into() })
}

fn laptop(clock: &Arc<FakeClock>) -> Service {
    let mut svc = Service::with_demo(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
    svc.set_me(&Me { name: "Lan".into(), role: "Tech Lead".into() }).unwrap();
    svc
}

/// The state held, which must be current without reading the store again, and equal to what
/// reading it gives.
fn assert_held(svc: &Service, after: &str) {
    let held = svc.cache.as_ref().unwrap_or_else(|| panic!("no state held after {after}"));
    assert_eq!(held.generation, svc.store.generation(), "the state held fell behind after {after}");
    assert_eq!(held.data_version, svc.store.data_version().unwrap());
    let loaded = Snapshot::load(&svc.store).unwrap();
    if held.snap != loaded {
        assert_eq!(held.snap.runbook, loaded.runbook, "runbook after {after}");
        assert_eq!(held.snap.state, loaded.state, "state after {after}");
        assert_eq!(held.snap.recent, loaded.recent, "recent changes after {after}");
        assert_eq!(held.snap.event_count, loaded.event_count, "event count after {after}");
        panic!("the state held differs from the store's after {after}");
    }
}

/// Events `from` holds that `to` lacks, pushed to `to` as sync does.
fn push(from: &Service, to: &mut Service) {
    let missing = from.store().events_after(&to.store().version_vector().unwrap(), 100_000).unwrap();
    to.sync_push(&missing).unwrap();
}

#[derive(Clone, Debug)]
enum Op {
    Task(usize, u8),
    Comment(usize),
    Sign(usize),
    Decide(usize, u8),
    Metric(usize, f64),
    IncidentOpen(u8),
    IncidentResolve,
    Approve,
    Step(usize),
    Trigger(usize, bool),
    Checklist(usize, bool),
    EditTitle(usize, u16),
    AddTask(usize),
    Move(usize, usize),
    Delete(usize),
    AddMetric(f64),
    /// Another laptop moves a task; its event is pushed here.
    Remote(usize, u8),
    Later(u16),
}

fn op() -> impl Strategy<Value = Op> {
    let i = 0..40usize;
    prop_oneof![
        6 => (i.clone(), 0..6u8).prop_map(|(t, v)| Op::Task(t, v)),
        2 => i.clone().prop_map(Op::Comment),
        2 => i.clone().prop_map(Op::Sign),
        1 => (i.clone(), 0..3u8).prop_map(|(c, d)| Op::Decide(c, d)),
        // Readings as a dashboard gives them: with a few decimals.
        2 => (i.clone(), -10_000_000..10_000_000i32).prop_map(|(m, v)| Op::Metric(m, f64::from(v) / 1000.0)),
        1 => (0..4u8).prop_map(Op::IncidentOpen),
        1 => Just(Op::IncidentResolve),
        1 => Just(Op::Approve),
        1 => i.clone().prop_map(Op::Step),
        1 => (i.clone(), any::<bool>()).prop_map(|(t, c)| Op::Trigger(t, c)),
        1 => (i.clone(), any::<bool>()).prop_map(|(k, c)| Op::Checklist(k, c)),
        2 => (i.clone(), any::<u16>()).prop_map(|(t, n)| Op::EditTitle(t, n)),
        1 => i.clone().prop_map(Op::AddTask),
        1 => (i.clone(), i.clone()).prop_map(|(a, b)| Op::Move(a, b)),
        1 => i.clone().prop_map(Op::Delete),
        1 => (0..10_000u32).prop_map(|n| Op::AddMetric(f64::from(n) / 100.0)),
        3 => (i, 0..6u8).prop_map(|(t, v)| Op::Remote(t, v)),
        2 => (1..90u16).prop_map(Op::Later),
    ]
}

fn verb(v: u8) -> TaskVerb {
    [TaskVerb::Start, TaskVerb::Done, TaskVerb::Skip, TaskVerb::Fail, TaskVerb::Block, TaskVerb::Undo]
        [usize::from(v) % 6]
}

fn pick<T: Clone>(items: &[T], i: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[i % items.len()].clone())
}

/// The action `op` stands for, with ids from the runbook as it now is.
fn action(rb: &warroom_model::Runbook, op: &Op) -> Option<Action> {
    let tasks: Vec<warroom_model::TaskId> = rb.tasks().map(|t| t.id.clone()).collect();
    let checkpoints: Vec<warroom_model::TaskId> = rb.tasks().filter(|t| t.checkpoint).map(|t| t.id.clone()).collect();
    let note = |v: u8| (matches!(verb(v), TaskVerb::Skip | TaskVerb::Fail | TaskVerb::Block)).then(|| "why".to_owned());
    Some(match *op {
        Op::Task(t, v) | Op::Remote(t, v) => {
            Action::Task { task: pick(&tasks, t)?, verb: verb(v), note: note(v), at: None }
        }
        Op::Comment(t) => Action::Comment { task: pick(&tasks, t)?, text: "looked at it".into() },
        Op::Sign(c) => Action::CheckpointSign { id: pick(&checkpoints, c)?, role: None },
        Op::Decide(c, d) => Action::CheckpointDecide {
            id: pick(&checkpoints, c)?,
            decision: [Decision::Go, Decision::NoGo, Decision::Hold][usize::from(d) % 3],
            reason: Some("as agreed".into()),
        },
        Op::Metric(m, value) => Action::MetricRecord {
            metric: pick(&rb.metrics.iter().map(|m| m.id.clone()).collect::<Vec<_>>(), m)?,
            value,
            unit: None,
            source: Some("dashboard".into()),
        },
        Op::IncidentOpen(s) => Action::IncidentOpen {
            title: "login slow".into(),
            severity: [Severity::P1, Severity::P2, Severity::P3, Severity::P4][usize::from(s) % 4],
            description: String::new(),
            eta_minutes: Some(15),
        },
        Op::IncidentResolve => return None,
        Op::Approve => Action::RollbackApprove,
        Op::Step(s) => {
            Action::RollbackStep { id: pick(&rb.rollback.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), s)? }
        }
        Op::Trigger(t, checked) => Action::RollbackTrigger {
            id: pick(&rb.rollback.triggers.iter().map(|t| t.id.clone()).collect::<Vec<_>>(), t)?,
            checked,
        },
        Op::Checklist(k, checked) => {
            Action::Checklist { id: pick(&rb.checklist.iter().map(|c| c.id.clone()).collect::<Vec<_>>(), k)?, checked }
        }
        Op::EditTitle(t, n) => Action::EditSet {
            kind: EditKind::Task,
            id: pick(&tasks, t)?.into_string(),
            fields: vec![("title".into(), format!("renamed {n}"))],
        },
        Op::AddTask(p) => Action::EditAddTask {
            phase: pick(&rb.phases.iter().map(|p| p.id.clone()).collect::<Vec<_>>(), p)?,
            time: "07:15".into(),
            title: "an extra check".into(),
            owner: "DBA".into(),
            after: None,
        },
        Op::Move(t, a) => Action::EditMove {
            kind: EditKind::Task,
            id: pick(&tasks, t)?.into_string(),
            after: pick(&tasks, a).map(TaskId::into_string),
            phase: None,
        },
        Op::Delete(t) => Action::EditDelete { kind: EditKind::Task, id: pick(&tasks, t)?.into_string() },
        Op::AddMetric(target) => Action::EditAdd {
            kind: EditKind::Metric,
            fields: vec![("name".into(), "queue depth".into()), ("target".into(), format!("< {target}"))],
            after: None,
        },
        Op::Later(_) => return None,
    })
}

fn run_ops(ops: &[Op]) {
    let clock = Arc::new(FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).unwrap()));
    let mut a = laptop(&clock);
    let start = Action::RunStart {
        kind: RunKind::Live,
        date: "2026-01-31".into(),
        tz: "Asia/Ho_Chi_Minh".into(),
        durations_from: None,
    };
    a.act(&Request { at: None, run: None, by: by("Lan"), action: start }).unwrap();
    assert_held(&a, "the run's start");
    let mut b = Service::new(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
    for (n, op) in ops.iter().enumerate() {
        let what = format!("op {n}: {op:?}");
        let before = a.cache.as_ref().map(|h| h.snap.runbook.clone());
        let (runbook_version, events) = (a.changes().runbook, a.store.event_count().unwrap());
        match op {
            Op::Later(m) => clock.advance(chrono::Duration::minutes(i64::from(*m))),
            Op::IncidentResolve => {
                let open = a
                    .status(None, None)
                    .unwrap()
                    .and_then(|st| st.incidents.iter().find(|i| i.open).map(|i| i.id.clone()));
                if let Some(id) = open {
                    let _resolved_or_refused = a.perform(&Request {
                        at: None,
                        run: None,
                        by: by("Lan"),
                        action: Action::IncidentResolve { id, note: "fixed".into() },
                    });
                }
            }
            Op::Remote(..) => {
                push(&a, &mut b);
                if b.cache.is_none() {
                    // Its first state is read; from then on it is brought along.
                    b.snapshot().unwrap();
                }
                assert_held(&b, &format!("{what}, on the other laptop"));
                let rb = b.cache.as_ref().map(|h| h.snap.runbook.clone()).unwrap_or_default();
                if let Some(action) = action(&rb, op) {
                    let _done_or_refused = b.perform(&Request { at: None, run: None, by: by("Huy"), action });
                }
                push(&b, &mut a);
            }
            op => {
                let rb = before.clone().unwrap_or_default();
                if let Some(action) = action(&rb, op) {
                    let _done_or_refused = a.perform(&Request { at: None, run: None, by: by("Lan"), action });
                }
            }
        }
        assert_held(&a, &what);
        let held = a.cache.as_ref().map(|h| &h.snap);
        let edits = a.store.recent_changes(usize::try_from(a.store.event_count().unwrap() - events).unwrap()).unwrap();
        let edited = edits.iter().any(|e| e.kind.starts_with("runbook."));
        if before.as_ref() != held.map(|s| &s.runbook) {
            assert!(a.changes().runbook > runbook_version, "the runbook changed but its version stood after {what}");
        }
        if !edited {
            assert_eq!(
                a.changes().runbook,
                runbook_version,
                "the runbook's version moved without an edit after {what}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_state_held_is_what_reading_the_store_gives(ops in proptest::collection::vec(op(), 1..24)) {
        run_ops(&ops);
    }
}

#[test]
fn an_edit_a_task_and_another_laptops_event_are_followed_without_reading_again() {
    run_ops(&[
        Op::Later(70),
        Op::Task(0, 0),
        Op::Metric(0, 0.1 + 0.2),
        Op::EditTitle(1, 7),
        Op::Remote(1, 0),
        Op::AddTask(0),
        Op::Task(0, 1),
        Op::Task(0, 5),
    ]);
}

#[test]
fn a_number_that_reads_back_otherwise_from_its_json_is_held_as_the_store_gives_it_back() {
    // 903251.2790649821 parses back from its shortest text as a neighbouring number.
    run_ops(&[Op::Later(70), Op::Metric(0, 903_251.279_064_982_1), Op::Metric(0, 1.0 / 3.0)]);
}

#[test]
fn another_process_moves_the_runbooks_version_only_when_it_edits_the_runbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let clock = Arc::new(FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).unwrap()));
    let mut svc = Service::with_demo(Store::open(&path).unwrap(), clock.clone()).unwrap();
    svc.status(None, None).unwrap();
    let mut cli = Store::open(&path).unwrap();
    let mut act = |action: Action| {
        let mut a = Actions::new(&mut cli, Author { name: "Huy".into(), role: "DBA".into() }, clock.as_ref());
        perform(&mut a, None, None, None, &action).unwrap();
    };
    act(Action::RunStart { kind: RunKind::Live, date: "2026-01-31".into(), tz: "UTC".into(), durations_from: None });
    let before = svc.changes();
    assert!(svc.poll_external().unwrap());
    assert!(svc.changes().version > before.version);
    assert_eq!(svc.changes().runbook, before.runbook, "a run started; the runbook is as it was");
    assert_held(&svc, "another process's run");
    act(Action::EditSet { kind: EditKind::Task, id: "1.1".into(), fields: vec![("owner".into(), "QA Lead".into())] });
    assert!(svc.poll_external().unwrap());
    assert!(svc.changes().runbook > before.runbook, "another process edited the runbook");
    assert_eq!(svc.loaded().unwrap().runbook.task("1.1").unwrap().owner, "QA Lead");
}
