use super::*;
use crate::clock::FakeClock;
use crate::import::import_markdown;
use crate::live::actions::{Actions, TaskAction};
use chrono::{TimeZone, Utc};
use warroom_model::live::RunKind;

const HEAD: &str =
    "# Cutover\n\n## Timeline\n\n### Phase 1: Prepare (06:00 - 07:00)\n\n| Time | Task | Owner |\n|---|---|---|\n";

fn file(rows: &[(&str, &str, &str)]) -> Imported {
    let mut md = HEAD.to_owned();
    for (time, title, owner) in rows {
        md.push_str(&format!("| {time} | {title} | {owner} |\n"));
    }
    import_markdown("plan.md", md.as_bytes()).unwrap()
}

const ROWS: [(&str, &str, &str); 4] = [
    ("06:00", "Team standup call", "All"),
    ("06:05", "Verify all members online", "Tech Lead"),
    ("06:10", "Freeze deployments", "DevOps"),
    ("06:20", "Backup production database", "DBA"),
];

fn lan() -> Author {
    Author { name: "Nguyễn Lan".into(), role: "Tech Lead".into() }
}

/// A store holding `ROWS`, with a live run in which 1.1 and 1.3 are done and 1.1 commented.
fn live() -> (Store, FakeClock) {
    let clock = FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 31, 0, 30, 0).unwrap());
    let mut store = Store::open_in_memory().unwrap();
    store.import(&file(&ROWS), &lan(), false, &clock).unwrap();
    let mut act = Actions::new(&mut store, lan(), &clock);
    act.run_start(RunKind::Live, "2026-01-31", "Asia/Ho_Chi_Minh", None).unwrap();
    act.task(None, "1.1", TaskAction::Done, None, None).unwrap();
    act.comment(None, "1.1", "everyone joined").unwrap();
    act.task(None, "1.3", TaskAction::Done, None, None).unwrap();
    (store, clock)
}

fn titles(rb: &Runbook) -> Vec<(String, String)> {
    rb.tasks().map(|t| (t.id.to_string(), t.title.clone())).collect()
}

#[test]
fn a_deleted_row_without_ids_keeps_every_later_task_on_its_id() {
    let (mut store, clock) = live();
    let edited = file(&[ROWS[0], ROWS[2], ROWS[3]]);
    let plan = plan(&store, &edited).unwrap();
    assert_eq!(plan.preview.matching, Matching::ByContent);
    let removed: Vec<&str> = plan.preview.removed.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(removed, ["Verify all members online"]);
    assert!(!plan.preview.needs_confirmation(), "the removed task holds no progress");
    assert_eq!(plan.preview.unchanged, 3);
    import(&mut store, &edited, &lan(), true, false, &clock).unwrap();
    let rb = store.require_runbook().unwrap();
    assert_eq!(
        titles(&rb),
        [("1.1", "Team standup call"), ("1.3", "Freeze deployments"), ("1.4", "Backup production database")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let snap = Snapshot::load(&store).unwrap();
    let run = snap.run(None).unwrap();
    assert_eq!(snap.task_record(run.id.as_str(), "1.3").status, TaskStatus::Done);
    assert_eq!(snap.task_record(run.id.as_str(), "1.4").status, TaskStatus::Pending);
}

#[test]
fn removing_a_task_with_progress_needs_a_confirmation_and_keeps_its_history() {
    let (mut store, clock) = live();
    let edited = file(&ROWS[1..]);
    let err = import(&mut store, &edited, &lan(), true, false, &clock).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("1.1 `Team standup call`") && msg.contains("done by Nguyễn Lan (Tech Lead), 1 comment(s)"),
        "{msg}"
    );
    assert_eq!(store.require_runbook().unwrap().tasks().count(), 4, "nothing was imported");
    let (_, preview) = import(&mut store, &edited, &lan(), true, true, &clock).unwrap();
    assert_eq!(preview.removed.len(), 1);
    let rb = store.require_runbook().unwrap();
    assert_eq!(rb.tasks().next().map(|t| t.id.as_str()), Some("1.2"));
    let snap = Snapshot::load(&store).unwrap();
    let run = snap.run(None).unwrap();
    assert_eq!(snap.task_record(run.id.as_str(), "1.1").status, TaskStatus::Done, "the history stays with 1.1");
    assert_eq!(snap.task_record(run.id.as_str(), "1.2").status, TaskStatus::Pending);
}

#[test]
fn an_added_task_never_takes_an_id_that_has_history() {
    let (mut store, clock) = live();
    // 1.1 goes (confirmed), then a new first row comes: positionally it is `1.1` again.
    import(&mut store, &file(&ROWS[1..]), &lan(), true, true, &clock).unwrap();
    let back = file(&[("05:55", "Open the bridge", "All"), ROWS[1], ROWS[2], ROWS[3]]);
    let plan = plan(&store, &back).unwrap();
    assert_eq!(plan.preview.added.len(), 1);
    assert_eq!(plan.preview.added[0].id.as_str(), "1.5");
    let snap = Snapshot::load(&store).unwrap();
    let run = snap.run(None).unwrap();
    assert_eq!(snap.task_record(run.id.as_str(), "1.5").status, TaskStatus::Pending);
}

#[test]
fn changes_and_moves_are_listed_and_a_file_with_ids_matches_by_them() {
    let (store, _) = live();
    let edited = file(&[
        ROWS[0],
        ("06:05", "Verify all members are online", "QA Lead"),
        ("06:15", ROWS[2].1, "DevOps"),
        ROWS[3],
    ]);
    let p = plan(&store, &edited).unwrap().preview;
    assert_eq!(p.changed.len(), 1, "{p}");
    assert_eq!(p.changed[0].id.as_str(), "1.2");
    assert!(p.changed[0].details.iter().any(|d| d.contains("owner `Tech Lead` → `QA Lead`")), "{p}");
    assert_eq!(p.moved.len(), 1);
    assert_eq!(p.moved[0].details, ["06:10 → 06:15"]);
    // With an ID column, the ids decide: row `1.3` is task 1.3 whatever its title.
    let md = HEAD.replace("| Time | Task | Owner |\n|---|---|---|", "| ID | Time | Task | Owner |\n|---|---|---|---|")
        + "| 1.3 | 06:10 | Freeze all deployments | DevOps |\n| 1.9 | 06:30 | Smoke test | QA |\n";
    let with_ids = import_markdown("ids.md", md.as_bytes()).unwrap();
    let p = plan(&store, &with_ids).unwrap().preview;
    assert_eq!(p.matching, Matching::ById);
    assert_eq!(p.changed.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["1.3"]);
    assert_eq!(p.added.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["1.9"]);
    assert_eq!(p.removed.len(), 3);
    assert_eq!(p.detached().count(), 1, "1.1 is done");
}

#[test]
fn the_api_previews_first_and_imports_a_detaching_file_only_when_confirmed() {
    use crate::service::Service;
    use warroom_model::api::{ImportRequest, Me};
    let (store, clock) = live();
    let mut svc = Service::new(store, std::sync::Arc::new(clock)).unwrap();
    svc.set_me(&Me { name: "Nguyễn Lan".into(), role: "Tech Lead".into() }).unwrap();
    let mut md = HEAD.to_owned();
    for (time, title, owner) in &ROWS[1..] {
        md.push_str(&format!("| {time} | {title} | {owner} |\n"));
    }
    let req = ImportRequest { name: "v2.md".into(), text: md, replace: true, ..Default::default() };
    let events = svc.store().event_count().unwrap();
    let preview = svc.preview_import(&req).unwrap();
    assert!(!preview.imported && preview.summary.contains("1 removed"), "{}", preview.summary);
    let p = preview.preview.unwrap();
    assert_eq!(p.removed[0].id.as_str(), "1.1");
    assert!(p.needs_confirmation());
    let refused = svc.import(&req).unwrap();
    assert!(!refused.imported && refused.summary.contains("1.1 `Team standup call`"), "{}", refused.summary);
    assert!(refused.preview.is_some_and(|p| p.needs_confirmation()));
    assert_eq!(svc.store().event_count().unwrap(), events, "nothing was written");
    let done = svc.import(&ImportRequest { confirm: true, ..req }).unwrap();
    assert!(done.imported, "{}", done.summary);
    assert_eq!(svc.store().require_runbook().unwrap().tasks().next().map(|t| t.id.to_string()), Some("1.2".into()));
}

#[test]
fn a_step_or_metric_inserted_above_others_leaves_their_ticks_and_readings_where_they_were() {
    let plan_md = |steps: &[&str], metrics: &[&str]| {
        let mut md = HEAD.to_owned();
        for (time, title, owner) in &ROWS {
            md.push_str(&format!("| {time} | {title} | {owner} |\n"));
        }
        md.push_str("\n## Rollback Procedure\n\n### Decision Matrix\n\n| Issue | Severity | Rollback? | Approver |\n");
        md.push_str("|---|---|---|---|\n| Core flow broken | P1 | YES | Tech Lead |\n");
        md.push_str("\n### Rollback Steps\n\n| Step | Command |\n|---|---|\n");
        for s in steps {
            md.push_str(&format!("| {s} | `run {}` |\n", s.len()));
        }
        md.push_str(
            "\n## Monitoring\n\n### Metrics to Watch\n\n| Metric | Target | Alert Threshold |\n|---|---|---|\n",
        );
        for m in metrics {
            md.push_str(&format!("| {m} | < 1% | > 5% |\n"));
        }
        import_markdown("plan.md", md.as_bytes()).unwrap()
    };
    let (mut store, clock) = live();
    let first = plan_md(&["Stop writes", "Point DNS back", "Restore the database"], &["Error rate", "Queue depth"]);
    import(&mut store, &first, &lan(), true, true, &clock).unwrap();
    let mut act = Actions::new(&mut store, lan(), &clock);
    act.rollback_approve(None).unwrap();
    act.rollback_decide(None, true, "core flow broken", None).unwrap();
    act.rollback_step_done(None, "r2").unwrap();
    act.metric_record(None, "m2", 3.0, None, None).unwrap();
    // A step and a metric are inserted at the top: by place, the tick and the reading would
    // now belong to "Stop writes" and "Error rate".
    let second = plan_md(
        &["Announce the rollback", "Stop writes", "Point DNS back", "Restore the database"],
        &["Login failures", "Error rate", "Queue depth"],
    );
    import(&mut store, &second, &lan(), true, true, &clock).unwrap();
    let rb = store.require_runbook().unwrap();
    let steps: Vec<(&str, &str)> = rb.rollback.steps.iter().map(|s| (s.id.as_str(), s.title.as_str())).collect();
    assert_eq!(
        steps,
        [
            ("r4", "Announce the rollback"),
            ("r1", "Stop writes"),
            ("r2", "Point DNS back"),
            ("r3", "Restore the database")
        ]
    );
    let metrics: Vec<(&str, &str)> = rb.metrics.iter().map(|m| (m.id.as_str(), m.name.as_str())).collect();
    assert_eq!(metrics, [("m3", "Login failures"), ("m1", "Error rate"), ("m2", "Queue depth")]);
    let snap = Snapshot::load(&store).unwrap();
    let run = snap.run(None).unwrap();
    let ticked: Vec<&str> = rb
        .rollback
        .steps
        .iter()
        .filter(|s| snap.get(entity::STEP, &key(run.id.as_str(), &s.id), "done") == Some(&serde_json::json!(true)))
        .map(|s| s.title.as_str())
        .collect();
    assert_eq!(ticked, ["Point DNS back"]);
    let read: Vec<&str> = rb
        .metrics
        .iter()
        .filter(|m| !snap.members(entity::METRIC, &key(run.id.as_str(), &m.id), "readings").is_empty())
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(read, ["Queue depth"]);
}
