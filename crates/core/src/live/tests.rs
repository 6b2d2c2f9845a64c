use super::actions::{Actions, TaskAction};
use super::*;
use crate::clock::{Clock, FakeClock};
use crate::demo;
use chrono::TimeZone;
use warroom_model::Author;
use warroom_model::api::EditKind;
use warroom_model::{MatrixAction, Refusal, TaskId};

pub(super) const TZ: &str = "Asia/Ho_Chi_Minh";
const DAY: &str = "2026-01-31";
pub(super) const ROLES: [&str; 5] = ["Tech Lead", "DBA", "DevOps", "QA Lead", "Business Owner"];

pub(super) struct Day {
    pub(super) store: Store,
    pub(super) clock: FakeClock,
    pub(super) run: warroom_model::RunId,
}

pub(super) fn local(h: u32, m: u32) -> DateTime<Utc> {
    let tz: Tz = TZ.parse().unwrap();
    tz.with_ymd_and_hms(2026, 1, 31, h, m, 0).unwrap().with_timezone(&Utc)
}

pub(super) fn person(role: &str) -> Author {
    Author { name: format!("{role} person"), role: role.into() }
}

impl Day {
    pub(super) fn new() -> Self {
        let mut store = Store::open_in_memory().unwrap();
        let clock = FakeClock::new(local(5, 50));
        store.import(&demo::runbook().unwrap(), &person("Tech Lead"), false, &clock).unwrap();
        let run =
            Actions::new(&mut store, person("Tech Lead"), &clock).run_start(RunKind::Live, DAY, TZ, None).unwrap().id;
        Self { store, clock, run }
    }

    pub(super) fn at(&self, h: u32, m: u32) -> &Self {
        self.clock.set(local(h, m));
        self
    }

    pub(super) fn act(&mut self, role: &str) -> Actions<'_> {
        Actions::new(&mut self.store, person(role), &self.clock)
    }

    pub(super) fn task(&mut self, id: &str, action: TaskAction) -> Result<Event> {
        let run = self.run.clone();
        self.act("DBA").task(Some(&run), id, action, None, None)
    }

    pub(super) fn status(&self) -> Status {
        let snap = Snapshot::load(&self.store).unwrap();
        let run = snap.run(None).unwrap();
        status(&snap, &run, self.clock.now()).unwrap()
    }

    /// Starts a task at its planned time + `late`, and finishes it at the next planned time + `late`.
    pub(super) fn work(&mut self, id: &str, start: (u32, u32), done: (u32, u32)) {
        self.at(start.0, start.1);
        self.task(id, TaskAction::Start).unwrap();
        self.at(done.0, done.1);
        self.task(id, TaskAction::Done).unwrap();
    }

    pub(super) fn pass_checkpoint(&mut self, id: &str) {
        let run = self.run.clone();
        for role in ROLES {
            self.act(role).checkpoint_sign(Some(&run), id, None).unwrap();
        }
        self.act("Tech Lead").checkpoint_decide(Some(&run), id, Decision::Go, None).unwrap();
    }
}

pub(super) fn task<'a>(s: &'a Status, id: &str) -> &'a TaskLive {
    s.tasks.iter().find(|t| t.id == id).unwrap()
}

/// Snapshots a status with the random ids replaced.
fn snapshot_text(day: &Day, s: &Status) -> String {
    let device = day.store.origin()[..8].to_owned();
    serde_json::to_string_pretty(s).unwrap().replace(day.run.as_str(), "RUN").replace(&device, "DEVICE")
}

#[test]
fn the_seed_day_with_phase_2_forty_minutes_late() {
    let mut d = Day::new();
    let s = d.at(6, 0).status();
    assert_eq!(s.rollback.state, Rag::Green);
    assert_eq!(s.due, vec!["1.1"]);
    assert_eq!(task(&s, "1.1").planned_start, "2026-01-31T06:00:00+07:00");
    assert_eq!(s.rollback.deadline.map(|t| t.rfc3339()).as_deref(), Some("2026-01-31T11:00:00+07:00"));
    assert_eq!(s.rollback.restore_by.map(|t| t.rfc3339()).as_deref(), Some("2026-01-31T12:00:00+07:00"));
    assert_eq!(s.rollback.rollback_minutes, 60, "deadline 11:00 in a window ending 12:00");
    assert_eq!(s.rollback.steps.iter().map(|x| x.minutes).sum::<u32>(), 60);
    assert_eq!(s.rollback.implementation_end, "2026-01-31T11:00:00+07:00");

    // Phase 1 on time.
    d.work("1.1", (6, 0), (6, 10));
    d.work("1.2", (6, 10), (6, 15));
    d.work("1.3", (6, 15), (6, 20));
    d.work("1.4", (6, 20), (6, 30));
    d.pass_checkpoint("1.5");
    let s = d.status();
    assert_eq!((s.variance_minutes, s.rollback.state), (0, Rag::Green));
    assert_eq!(s.current_phase.as_deref(), Some("p2"));

    // Phase 2: the export takes 70 minutes instead of 30.
    d.at(6, 30);
    d.task("2.1", TaskAction::Start).unwrap();
    let s = d.at(7, 10).status();
    assert_eq!(s.overdue, vec!["2.1"], "planned to finish at 07:00");
    assert_eq!(task(&s, "2.2").forecast_start, "2026-01-31T07:10:00+07:00", "rolls with now");
    d.at(7, 40);
    d.task("2.1", TaskAction::Done).unwrap();
    let s = d.status();
    assert_eq!(task(&s, "2.1").variance_minutes, 40);
    assert_eq!(task(&s, "2.2").forecast_start, "2026-01-31T07:40:00+07:00");
    assert_eq!(task(&s, "2.5").forecast_finish, "2026-01-31T08:40:00+07:00");
    assert_eq!(task(&s, "3.1").forecast_start, "2026-01-31T08:40:00+07:00");
    assert_eq!(s.phases[1].variance_minutes, 40);
    assert_eq!(s.rollback.implementation_end, "2026-01-31T11:40:00+07:00");
    assert_eq!(s.rollback.backout_worst, "2026-01-31T12:40:00+07:00");
    assert_eq!(s.rollback.state, Rag::Amber, "the implementation now ends after the point of no return");
    assert_eq!(s.rollback.slack_minutes, 200);
    insta::assert_snapshot!("status_0740_phase2_late", snapshot_text(&d, &s));

    // A checkpoint with a missing sign-off cannot be decided GO.
    d.work("2.2", (7, 40), (8, 10));
    d.work("2.3", (8, 10), (8, 25));
    d.work("2.4", (8, 25), (8, 40));
    let run = d.run.clone();
    for role in &ROLES[..4] {
        d.act(role).checkpoint_sign(Some(&run), "2.5", None).unwrap();
    }
    let e = d.act("Tech Lead").checkpoint_decide(Some(&run), "2.5", Decision::Go, None).unwrap_err();
    assert!(e.to_string().contains("missing sign-off from Business Owner"), "{e}");
    let cp = d.status().checkpoints.into_iter().find(|c| c.id == "2.5").unwrap();
    assert_eq!(cp.missing, vec!["Business Owner"]);
    d.act("Business Owner").checkpoint_sign(Some(&run), "2.5", None).unwrap();
    d.act("Tech Lead").checkpoint_decide(Some(&run), "2.5", Decision::Go, None).unwrap();

    // The delay holds through phases 3 and 4: red once the point of no return is near.
    for (id, s, e) in [
        ("3.1", (8, 40), (8, 50)),
        ("3.2", (8, 50), (9, 0)),
        ("3.3", (9, 0), (9, 10)),
        ("3.4", (9, 10), (9, 25)),
        ("3.5", (9, 25), (9, 40)),
    ] {
        d.work(id, s, e);
    }
    d.pass_checkpoint("3.6");
    d.work("4.1", (9, 40), (9, 50));
    d.work("4.2", (9, 50), (10, 0));
    let s = d.at(10, 29).status();
    assert_eq!(s.rollback.state, Rag::Amber, "31 minutes left");
    let s = d.at(10, 31).status();
    assert_eq!(s.rollback.state, Rag::Red, "29 minutes to the point of no return, implementation forecast 11:41");
    insta::assert_snapshot!("status_1031_red", snapshot_text(&d, &s));

    // After 11:00: fix forward only, unless overridden with a reason.
    let s = d.at(11, 1).status();
    assert_eq!((s.rollback.state, s.rollback.fix_forward_only), (Rag::Closed, true));
    let e = d.act("Tech Lead").rollback_decide(Some(&run), true, "smoke tests failing", None).unwrap_err();
    assert!(matches!(e, LiveError::Refused(Refusal::PastDeadline { .. })), "{e}");
    assert!(e.to_string().contains("fix forward only"), "{e}");
    // An override needs the matrix's approvers, from distinct people, as well as its reason.
    let e = d.act("Tech Lead").rollback_override(Some(&run), "data corruption found in Sales").unwrap_err();
    assert!(matches!(e, LiveError::Refused(Refusal::ApprovalsMissing { .. })), "{e}");
    let e = d.act("Tech Lead").rollback_override(Some(&run), " ").unwrap_err();
    assert!(matches!(e, LiveError::Refused(Refusal::ReasonForOverride)), "{e}");
    d.act("Tech Lead").rollback_approve(Some(&run)).unwrap();
    d.act("DBA").rollback_approve(Some(&run)).unwrap();
    d.act("Tech Lead").rollback_override(Some(&run), "data corruption found in Sales").unwrap();
    let s = d.status();
    assert_eq!(s.rollback.decision, Some(warroom_model::live::RollbackDecision::Rollback));
    assert_eq!(s.rollback.override_reason.as_deref(), Some("data corruption found in Sales"));
    assert_ne!(s.rollback.state, Rag::Closed, "an override reopens the rollback");
}

#[test]
fn a_rollback_before_the_deadline_needs_the_matrix_approvers() {
    let mut d = Day::new();
    d.at(9, 0);
    let run = d.run.clone();
    let e = d.act("Tech Lead").rollback_decide(Some(&run), true, "core flow broken", None).unwrap_err();
    assert!(e.to_string().contains("Tech Lead + Business or Tech Lead + DBA"), "{e}");
    d.act("Tech Lead").rollback_approve(Some(&run)).unwrap();
    assert!(d.act("Tech Lead").rollback_decide(Some(&run), true, "core flow broken", None).is_err());
    d.act("DBA").rollback_approve(Some(&run)).unwrap();
    d.act("Tech Lead").rollback_decide(Some(&run), true, "core flow broken", None).unwrap();
    let s = d.status();
    assert_eq!(s.rollback.decision, Some(warroom_model::live::RollbackDecision::Rollback));
    // Rolling back: backout-now counts only the steps left.
    assert_eq!(s.rollback.backout_now, "2026-01-31T10:00:00+07:00");
    let steps: Vec<String> = s.rollback.steps.iter().map(|s| s.id.clone()).collect();
    for id in &steps {
        d.act("DevOps").rollback_step_done(Some(&run), id).unwrap();
    }
    let s = d.status();
    assert_eq!((s.run.state, s.rollback.state), (RunState::RolledBack, Rag::Closed));
}

#[test]
fn one_person_cannot_fill_two_roles_of_a_rollback_approval() {
    let mut d = Day::new();
    d.at(9, 0);
    let run = d.run.clone();
    let an = |role: &str, name: &str| Author { name: name.into(), role: role.into() };
    let mut act = |who: Author| Actions::new(&mut d.store, who, &d.clock).rollback_approve(Some(&run));
    act(an("Tech Lead", "Nguyễn Văn An")).unwrap();
    for again in ["Nguyễn Văn An", "nguyen van an", "NGUYỄN VĂN  AN"] {
        let e = act(an("DBA", again)).unwrap_err();
        assert!(
            matches!(&e, LiveError::Refused(Refusal::OnePersonTwoRoles { name, role }) if name == "Nguyễn Văn An" && role == "Tech Lead"),
            "{again}: {e}"
        );
        assert!(e.to_string().contains("must come from different people"), "{e}");
    }
    assert!(d.act("Tech Lead").rollback_decide(Some(&run), true, "core flow broken", None).is_err());
    let s = d.status();
    assert_eq!(s.rollback.approvals.len(), 1, "the refused approvals are not recorded");
    Actions::new(&mut d.store, an("DBA", "Trần Bình"), &d.clock).rollback_approve(Some(&run)).unwrap();
    d.act("Tech Lead").rollback_decide(Some(&run), true, "core flow broken", None).unwrap();
    let s = d.status();
    assert_eq!(s.rollback.shared_laptops.len(), 1, "both approvals were given on this one laptop: flagged");
}

#[test]
fn task_rules_undo_and_backfill() {
    let mut d = Day::new();
    let run = d.run.clone();
    d.at(6, 5);
    let e = d.task("1.5", TaskAction::Skip).unwrap_err();
    assert!(e.to_string().contains("cannot be skipped"), "{e}");
    let e = d.act("DBA").task(Some(&run), "1.2", TaskAction::Skip, None, None).unwrap_err();
    assert!(matches!(e, LiveError::Refused(Refusal::ReasonForTask { .. })), "{e}");
    d.act("DBA").task(Some(&run), "1.2", TaskAction::Skip, Some("done yesterday"), None).unwrap();
    assert_eq!(task(&d.status(), "1.2").status, TaskStatus::Skipped);
    d.task("1.2", TaskAction::Undo).unwrap();
    let s = d.status();
    assert_eq!((task(&s, "1.2").status, task(&s, "1.2").actual_finish), (TaskStatus::Pending, None));
    // Back-filled: done at 06:03 though recorded at 06:05.
    d.act("Tech Lead").task(Some(&run), "1.1", TaskAction::Done, None, Some("06:03")).unwrap();
    let t = task(&d.status(), "1.1").clone();
    assert_eq!(t.actual_finish.map(|t| t.rfc3339()).as_deref(), Some("2026-01-31T06:03:00+07:00"));
    assert!(t.backfilled);
    assert_eq!(t.finished_by.unwrap().name, "Tech Lead person");
    let e = d.act("DBA").task(Some(&run), "1.4", TaskAction::Done, None, Some("06:30")).unwrap_err();
    assert!(e.to_string().contains("later than now"), "{e}");
    // A run recorded days later still back-fills onto its own day.
    d.clock.set(local(6, 5) + Duration::days(3));
    d.act("DBA").task(Some(&run), "1.3", TaskAction::Done, None, Some("06:20")).unwrap();
    assert_eq!(
        task(&d.status(), "1.3").actual_finish.map(|t| t.rfc3339()).as_deref(),
        Some("2026-01-31T06:20:00+07:00")
    );
    d.task("1.3", TaskAction::Undo).unwrap();
    d.at(6, 5);
    let e = d.task("1.1", TaskAction::Start).unwrap_err();
    assert!(e.to_string().contains("already done"), "{e}");
    // Undo twice walks back through the history; a third has nothing left.
    d.task("1.3", TaskAction::Start).unwrap();
    d.task("1.3", TaskAction::Done).unwrap();
    d.task("1.3", TaskAction::Undo).unwrap();
    assert_eq!(task(&d.status(), "1.3").status, TaskStatus::InProgress);
    d.task("1.3", TaskAction::Undo).unwrap();
    assert_eq!(task(&d.status(), "1.3").status, TaskStatus::Pending);
    assert!(d.task("1.3", TaskAction::Undo).is_err());
    let e = d.task("9.9", TaskAction::Start).unwrap_err();
    assert!(e.to_string().contains("no task `9.9`"), "{e}");
}

#[test]
fn incidents_metrics_and_the_checklist() {
    let mut d = Day::new();
    let run = d.run.clone();
    d.at(10, 40);
    let (id, _) =
        d.act("QA").incident_open(Some(&run), "Sales orders fail", Severity::P1, "500 on submit", Some(20)).unwrap();
    let s = d.status();
    let inc = &s.incidents[0];
    // No row's issue is in "Sales orders fail": both P1 rows are candidates, and both roll back.
    assert_eq!((inc.recommendation, inc.approvers.is_empty()), (Some(MatrixAction::Rollback), true));
    let candidates: Vec<&str> = inc.matrix.candidates.iter().map(|r| r.issue.as_str()).collect();
    assert_eq!(candidates, ["Core flow broken", "Data corruption"]);
    assert_eq!(inc.eta.map(|t| t.rfc3339()).as_deref(), Some("2026-01-31T11:00:00+07:00"));
    // The estimate rolls forward with now once it passes.
    let s = d.at(11, 15).status();
    assert_eq!(s.incidents[0].eta.map(|t| t.rfc3339()).as_deref(), Some("2026-01-31T11:15:00+07:00"));
    d.act("QA").incident_resolve(&id, "hotfix deployed").unwrap();
    assert!(!d.status().incidents[0].open);

    d.act("DevOps").metric_record(Some(&run), "Response p95", 180.0, Some("ms"), None).unwrap();
    assert_eq!(d.status().metrics[1].state, MetricState::Ok);
    d.act("DevOps").metric_record(Some(&run), "response P95", 320.0, Some("ms"), None).unwrap();
    assert_eq!(d.status().metrics[1].state, MetricState::Warning);
    d.act("DevOps").metric_record(Some(&run), "m2", 650.0, Some("ms"), Some("grafana")).unwrap();
    let s = d.status();
    assert_eq!((s.metrics[1].state, s.metrics[1].readings.len()), (MetricState::Alert, 3));
    assert_eq!(s.metrics[4].state, MetricState::Unknown);
    d.act("Tech Lead").checklist(Some(&run), "k1", true).unwrap();
    assert!(d.status().checklist[0].checked);
    assert_eq!(d.status().hypercare_end.map(|t| t.rfc3339()).as_deref(), Some("2026-02-01T12:00:00+07:00"));
}

#[test]
fn edits_are_events_and_change_the_plan() {
    let mut d = Day::new();
    let (id, _) = d.act("Tech Lead").edit_add_task("p2", "07:15", "Re-run failed batch", "DBA", Some("2.2")).unwrap();
    assert_eq!(id, "2.6");
    let rb = Snapshot::load(&d.store).unwrap().runbook;
    let ids: Vec<&str> = rb.phases[1].tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, vec!["2.1", "2.2", "2.6", "2.3", "2.4", "2.5"]);
    d.act("Tech Lead")
        .edit_set(EditKind::Task, "2.3", &[("owner".into(), "QA Lead".into()), ("duration_min".into(), "20".into())])
        .unwrap();
    let e = d.act("Tech Lead").edit_set(EditKind::Task, "2.3", &[("time".into(), "25:99".into())]).unwrap_err();
    assert!(e.to_string().contains("would not leave a valid runbook"), "{e}");
    d.act("Tech Lead").edit_delete(EditKind::Task, "2.4").unwrap();
    d.act("Tech Lead").edit_move(EditKind::Task, "1.1", Some("1.3"), None).unwrap();
    let rb = Snapshot::load(&d.store).unwrap().runbook;
    assert_eq!(rb.task("2.3").unwrap().owner, "QA Lead");
    assert_eq!(rb.task("2.3").unwrap().duration_min, Some(20));
    assert!(rb.task("2.4").is_none());
    assert_eq!(
        rb.phases[0].tasks.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        vec!["1.2", "1.3", "1.1", "1.4", "1.5"]
    );
    let s = d.at(6, 0).status();
    assert_eq!(task(&s, "2.3").planned_minutes, 20);
    let kinds: Vec<String> = d.store.events().unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "runbook.edit").count(), 4, "the refused edit is not logged");
}

fn import_runbook(md: &str) -> (Store, FakeClock) {
    let mut store = Store::open_in_memory().unwrap();
    let clock = FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
    let imported = crate::import_markdown("t.md", md.as_bytes()).unwrap();
    store.import(&imported, &person("DBA"), false, &clock).unwrap();
    (store, clock)
}

#[test]
fn a_run_across_midnight() {
    let md = "# Night\n\n**Window**: 23:30 - 03:00\n\n## Timeline\n\n### Move (23:30 - 03:00)\n\n| Time | Task | Owner |\n|---|---|---|\n| 23:30 | Freeze | DBA |\n| 23:50 | Copy | DBA |\n| 00:40 | Switch DNS | DevOps |\n| 02:30 | **CHECKPOINT 1**: Done | DBA |\n";
    let (mut store, clock) = import_runbook(md);
    Actions::new(&mut store, person("DBA"), &clock).run_start(RunKind::Rehearsal, "2026-06-01", TZ, None).unwrap();
    let snap = Snapshot::load(&store).unwrap();
    let run = snap.run(None).unwrap();
    let s = status(&snap, &run, Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()).unwrap();
    let starts: Vec<String> = s.tasks.iter().map(|t| t.planned_start.rfc3339()).collect();
    assert_eq!(
        starts,
        vec![
            "2026-06-01T23:30:00+07:00",
            "2026-06-01T23:50:00+07:00",
            "2026-06-02T00:40:00+07:00",
            "2026-06-02T02:30:00+07:00"
        ]
    );
    assert_eq!(s.tasks[1].planned_minutes, 50);
    assert_eq!(s.tasks[3].planned_minutes, 30, "until the phase ends at 03:00");
}

#[test]
fn a_run_across_a_dst_change() {
    let md = "# Spring\n\n**Window**: 01:00 - 04:00\n\n## Timeline\n\n### Switch (01:00 - 04:00)\n\n| Time | Task | Owner |\n|---|---|---|\n| 01:00 | Stop | DBA |\n| 01:30 | Migrate | DBA |\n| 03:00 | Start | DevOps |\n| 03:30 | Verify | QA |\n";
    let (mut store, clock) = import_runbook(md);
    Actions::new(&mut store, person("DBA"), &clock)
        .run_start(RunKind::Live, "2026-03-29", "Europe/Berlin", None)
        .unwrap();
    let snap = Snapshot::load(&store).unwrap();
    let run = snap.run(None).unwrap();
    let s = status(&snap, &run, Utc.with_ymd_and_hms(2026, 3, 28, 12, 0, 0).unwrap()).unwrap();
    let starts: Vec<String> = s.tasks.iter().map(|t| t.planned_start.rfc3339()).collect();
    assert_eq!(
        starts,
        vec![
            "2026-03-29T01:00:00+01:00",
            "2026-03-29T01:30:00+01:00",
            "2026-03-29T03:00:00+02:00",
            "2026-03-29T03:30:00+02:00"
        ]
    );
    assert_eq!(s.tasks[1].planned_minutes, 30, "01:30 → 03:00 is half an hour that night");
    assert_eq!(s.forecast_end, "2026-03-29T04:00:00+02:00");
}

#[test]
fn a_live_run_can_plan_with_a_rehearsals_durations() {
    let mut d = Day::new();
    d.work("1.1", (6, 0), (6, 25));
    let rehearsal = d.run.clone();
    d.act("Tech Lead").run_end(Some(&rehearsal), RunState::Completed).unwrap();
    let e = d.act("Tech Lead").run_start(RunKind::Live, "2026-02-07", TZ, Some(&rehearsal)).unwrap_err();
    assert!(e.to_string().contains("from a rehearsal"), "{e}");
    let mut store = Store::open_in_memory().unwrap();
    let clock = FakeClock::new(local(5, 0));
    store.import(&demo::runbook().unwrap(), &person("DBA"), false, &clock).unwrap();
    let mut a = Actions::new(&mut store, person("DBA"), &clock);
    let r = a.run_start(RunKind::Rehearsal, DAY, TZ, None).unwrap();
    a.task(Some(&r.id), "1.1", TaskAction::Start, None, None).unwrap();
    clock.advance(Duration::minutes(25));
    a.task(Some(&r.id), "1.1", TaskAction::Done, None, None).unwrap();
    a.run_end(Some(&r.id), RunState::Completed).unwrap();
    let live = a.run_start(RunKind::Live, "2026-02-07", TZ, Some(&r.id)).unwrap();
    let snap = Snapshot::load(&store).unwrap();
    let s = status(&snap, &live, clock.now()).unwrap();
    assert_eq!(task(&s, "1.1").planned_minutes, 25, "the rehearsal took 25 minutes");
    assert_eq!(task(&s, "1.2").planned_minutes, 5);
}

#[test]
fn a_run_starts_with_its_first_action_and_no_go_opens_the_rollback() {
    let mut d = Day::new();
    assert_eq!(d.status().run.state, RunState::NotStarted);
    d.at(6, 0);
    d.task("1.1", TaskAction::Start).unwrap();
    assert_eq!(d.status().run.state, RunState::Active);
    let run = d.run.clone();
    let e = d.act("Tech Lead").checkpoint_decide(Some(&run), "1.5", Decision::NoGo, None).unwrap_err();
    assert!(matches!(e, LiveError::Refused(Refusal::ReasonForDecision)), "{e}");
    d.act("Tech Lead").checkpoint_decide(Some(&run), "1.5", Decision::NoGo, Some("backup failed")).unwrap();
    let s = d.status();
    assert!(s.rollback.opened);
    assert_eq!(s.rollback.opened_by.as_ref().unwrap().role, "Tech Lead");
    assert_eq!(task(&s, "1.5").status, TaskStatus::Failed);
    assert_eq!(s.checkpoints[0].decision, Decision::NoGo);
    assert_eq!(s.checkpoints[0].reason.as_deref(), Some("backup failed"));
}

#[test]
fn edits_add_phases_contacts_steps_and_metrics() {
    let mut d = Day::new();
    let mut a = d.act("Tech Lead");
    let (p, _) = a
        .edit_add(EditKind::Phase, &[("name".into(), "Dry run".into()), ("start".into(), "05:30".into())], None)
        .unwrap();
    let (c, _) = a
        .edit_add(
            EditKind::Contact,
            &[("role".into(), "Security".into()), ("phone".into(), "0900 111 222".into())],
            Some("c2"),
        )
        .unwrap();
    let (r, _) = a
        .edit_add(EditKind::Step, &[("title".into(), "Flush CDN".into()), ("duration_min".into(), "5".into())], None)
        .unwrap();
    let (m, _) = a
        .edit_add(EditKind::Metric, &[("name".into(), "Queue depth".into()), ("alert".into(), "> 1000".into())], None)
        .unwrap();
    assert_eq!((p.as_str(), c.as_str(), r.as_str(), m.as_str()), ("p7", "c6", "r8", "m6"));
    a.edit_set(EditKind::Metric, "m1", &[("alert".into(), "> 2%".into())]).unwrap();
    let e = a.edit_add(EditKind::Phase, &[("start".into(), "25:00".into())], None).unwrap_err();
    assert!(e.to_string().contains("would not leave a valid runbook"), "{e}");
    let rb = Snapshot::load(&d.store).unwrap().runbook;
    assert_eq!(rb.phases.last().unwrap().name, "Dry run");
    assert_eq!(rb.contacts[2].role, "Security");
    assert_eq!(rb.rollback.steps.last().unwrap().duration_min, Some(5));
    let q = rb.metrics.last().unwrap();
    assert_eq!(
        q.alert_condition,
        warroom_model::Condition::Compare { op: warroom_model::CmpOp::Gt, value: 1000.0, unit: None }
    );
    assert_eq!(rb.metrics[0].alert_condition.holds(1.5), Some(false), "the edited threshold is > 2%");
    assert_eq!(d.status().rollback.rollback_minutes, 65, "60 spread over seven steps, plus the new one's 5");
}

#[test]
fn a_failed_task_leaves_the_due_list_and_says_what_it_holds_up() {
    let mut d = Day::new();
    let run = d.run.clone();
    d.work("1.1", (6, 0), (6, 10));
    d.work("1.2", (6, 10), (6, 15));
    d.work("1.3", (6, 15), (6, 20));
    d.work("1.4", (6, 20), (6, 30));
    d.pass_checkpoint("1.5");
    d.work("2.1", (6, 30), (7, 0));
    d.at(7, 0);
    d.task("2.2", TaskAction::Start).unwrap();
    d.at(7, 20);
    let why = Some("orders table corrupted by the script");
    d.act("Dev Lead").task(Some(&run), "2.2", TaskAction::Fail, why, None).unwrap();
    let s = d.at(7, 40).status();
    assert!(
        !s.due.contains(&TaskId::from("2.2")) && !s.next.contains(&TaskId::from("2.2")),
        "{:?} {:?}",
        s.due,
        s.next
    );
    assert!(!s.overdue.contains(&TaskId::from("2.2")), "told as stopped, not as overdue");
    let [stopped] = &s.stopped[..] else { panic!("{:?}", s.stopped) };
    assert_eq!((stopped.task.as_str(), stopped.status, stopped.reason.as_deref()), ("2.2", TaskStatus::Failed, why));
    assert_eq!(&stopped.blocks[..4], ["2.3", "2.4", "2.5", "3.1"], "its phase, then the phases after it");
    assert_eq!(stopped.blocks.len(), s.tasks.len() - 7, "everything after it waits");
    assert_eq!(task(&s, "2.3").held_by.as_deref(), Some("2.2"));
    assert_eq!(task(&s, "2.1").held_by, None);
    // The matrix read for the task: its reason names the data corruption row.
    let row = stopped.matrix.row.as_ref().unwrap();
    assert_eq!((row.issue.as_str(), stopped.recommendation), ("Data corruption", Some(MatrixAction::Rollback)));
    assert_eq!(row.approvers, ["Tech Lead", "DBA"]);

    // A second one, later, holds up what comes after it; the first keeps what lies between.
    d.act("QA").task(Some(&run), "3.1", TaskAction::Block, Some("registry unreachable"), None).unwrap();
    let s = d.status();
    let blocks = |id: &str| s.stopped.iter().find(|x| x.task == id).unwrap().blocks.clone();
    assert_eq!(blocks("2.2"), ["2.3", "2.4", "2.5"]);
    assert_eq!(blocks("3.1")[0], "3.2");
    let advice = &s.stopped[1].matrix;
    assert_eq!((advice.row.as_ref(), advice.candidates.len()), (None, 4), "no row fits: every row is a candidate");

    d.task("2.2", TaskAction::Undo).unwrap();
    let s = d.status();
    assert!(s.due.contains(&TaskId::from("2.2")), "back in progress: due again");
    assert_eq!(s.stopped.iter().map(|x| x.task.as_str()).collect::<Vec<_>>(), ["3.1"]);
}

#[test]
fn an_incident_takes_the_matrix_row_of_its_issue() {
    let mut d = Day::new();
    let run = d.run.clone();
    d.at(9, 0);
    let (id, _) = d
        .act("QA")
        .incident_open(Some(&run), "Data corruption in orders", Severity::P1, "totals doubled", None)
        .unwrap();
    let s = d.status();
    let inc = &s.incidents[0];
    assert_eq!(inc.matrix.row.as_ref().map(|r| r.issue.as_str()), Some("Data corruption"));
    assert_eq!(
        (inc.recommendation, inc.approvers.clone()),
        (Some(MatrixAction::Rollback), vec!["Tech Lead".to_owned(), "DBA".to_owned()])
    );
    // The row's approvers, not the first P1 row's (Tech Lead + Business).
    d.act("Tech Lead").rollback_approve(Some(&run)).unwrap();
    d.act("Business").rollback_approve(Some(&run)).unwrap();
    let e = d.act("Tech Lead").rollback_decide(Some(&run), true, "orders corrupted", Some(&id)).unwrap_err();
    assert!(e.to_string().contains("Tech Lead + DBA"), "{e}");
    d.act("DBA").rollback_approve(Some(&run)).unwrap();
    d.act("Tech Lead").rollback_decide(Some(&run), true, "orders corrupted", Some(&id)).unwrap();
    let s = d.status();
    assert_eq!(
        (s.rollback.decision, s.rollback.reason.as_deref()),
        (Some(warroom_model::live::RollbackDecision::Rollback), Some("orders corrupted"))
    );
}

#[test]
fn the_picture_read_without_the_runbooks_fields_is_the_same_and_refuses_to_follow_an_edit() {
    let mut d = Day::new();
    d.work("1.1", (6, 0), (6, 20));
    d.work("1.2", (6, 20), (6, 45));
    d.pass_checkpoint("1.5");
    let run = d.run.clone();
    d.act("DBA").incident_open(Some(&run), "Slow export", Severity::P2, "", None).unwrap();
    d.act("Tech Lead").edit_set(EditKind::Task, "2.1", &[("title".into(), "Export, again".into())]).unwrap();
    let whole = Snapshot::load(&d.store).unwrap();
    let live = Snapshot::load_live(&d.store).unwrap();
    assert_eq!(live.runbook, whole.runbook, "the runbook read from its fields alone");
    let r = whole.run(None).unwrap();
    let now = d.clock.now();
    assert_eq!(status(&live, &r, now).unwrap(), status(&whole, &r, now).unwrap());
    assert!(live.state.fields.len() < whole.state.fields.len() / 2, "the runbook's fields are left out");

    // An edit of the runbook cannot be followed by it: it is read again instead.
    let ev = d.act("Tech Lead").edit_set(EditKind::Task, "2.2", &[("title".into(), "Migrate".into())]).unwrap();
    let mut live = live;
    assert!(matches!(live.apply(&ev), Err(LiveError::CannotFollow)));
}

#[test]
fn a_live_run_far_from_today_is_flagged_and_a_night_across_midnight_or_a_rehearsal_is_not() {
    let d = Day::new();
    let date = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    // Its night, and the morning after.
    assert_eq!(d.status().far_from_today, None);
    d.clock.set(local(5, 50) + Duration::days(2));
    assert_eq!(d.status().far_from_today, None, "two days on is still the run's weekend");
    // Six weeks later, the run still open: the screens must say so.
    d.clock.set(local(9, 0) + Duration::days(43));
    assert_eq!(
        d.status().far_from_today,
        Some(warroom_model::live::FarFromToday { run_date: date(1, 31), today: date(3, 15) })
    );
    // Weeks before it, too.
    d.clock.set(local(9, 0) - Duration::days(10));
    assert_eq!(d.status().far_from_today.map(|f| f.today), Some(date(1, 21)));

    // A rehearsal of a past runbook is what rehearsals are for.
    let md = "# R\n\n## Timeline\n\n### One (06:00 - 07:00)\n\n| Time | Task | Owner |\n|---|---|---|\n| 06:00 | Go | DBA |\n";
    let (mut store, clock) = import_runbook(md);
    Actions::new(&mut store, person("DBA"), &clock).run_start(RunKind::Rehearsal, "2025-06-01", TZ, None).unwrap();
    let snap = Snapshot::load(&store).unwrap();
    let run = snap.run(None).unwrap();
    assert_eq!(status(&snap, &run, clock.now()).unwrap().far_from_today, None);
}
