use super::*;
use crate::clock::{Clock, FakeClock};
use crate::service::Service;
use crate::store::Store;
use chrono::TimeZone;
use std::path::Path;
use std::sync::Arc;
use warroom_model::api::{Action, Me, Request, TaskVerb};
use warroom_model::live::{Rag, RunKind, RunState};
use warroom_model::notify::Lang;
use warroom_model::{Author, notify::Shown};

fn local(h: u32, m: u32) -> DateTime<Utc> {
    let tz: chrono_tz::Tz = "Asia/Ho_Chi_Minh".parse().unwrap();
    tz.with_ymd_and_hms(2026, 1, 31, h, m, 0).unwrap().with_timezone(&Utc)
}

fn by(role: &str) -> Author {
    Author { name: format!("{role} person"), role: role.into() }
}

/// The seed's go-live day, with delays: Phase 1 runs a little late, the export (2.1, DBA)
/// overruns by a quarter of an hour, the migration scripts by 25 minutes; checkpoint 1 waits
/// for the DBA's sign-off; a P2 incident and a metric alert come in during deployment, which
/// then stalls: from 8:45 nothing more is finished, so the rollback deadline approaches with
/// the implementation forecast to end after it.
fn script(h: u32, m: u32) -> Vec<(&'static str, Action)> {
    let task = |id: &str, verb| Action::Task { task: id.into(), verb, note: None, at: None };
    let done = |id: &str| task(id, TaskVerb::Done);
    let start = |id: &str| task(id, TaskVerb::Start);
    let sign = |id: &str| Action::CheckpointSign { id: id.into(), role: None };
    let go = |id: &str| Action::CheckpointDecide { id: id.into(), decision: Decision::Go, reason: None };
    match (h, m) {
        (5, 50) => vec![(
            "Tech Lead",
            Action::RunStart {
                kind: RunKind::Live,
                date: "2026-01-31".into(),
                tz: "Asia/Ho_Chi_Minh".into(),
                durations_from: None,
            },
        )],
        (6, 0) => vec![("Tech Lead", start("1.1"))],
        (6, 12) => vec![("Tech Lead", done("1.1")), ("Tech Lead", start("1.2"))],
        (6, 17) => vec![("Tech Lead", done("1.2")), ("DBA", start("1.3"))],
        (6, 23) => vec![("DBA", done("1.3")), ("DBA", start("1.4"))],
        (6, 33) => vec![
            ("DBA", done("1.4")),
            ("Tech Lead", sign("1.5")),
            ("DevOps", sign("1.5")),
            ("QA Lead", sign("1.5")),
            ("Business Owner", sign("1.5")),
        ],
        (6, 38) => vec![("DBA", sign("1.5")), ("Tech Lead", go("1.5")), ("DBA", start("2.1"))],
        (7, 15) => vec![("DBA", done("2.1")), ("Dev Lead", start("2.2"))],
        (7, 55) => vec![("Dev Lead", done("2.2")), ("QA", start("2.3"))],
        (8, 10) => vec![("QA", done("2.3")), ("Business", start("2.4"))],
        (8, 25) => vec![("Business", done("2.4"))],
        (8, 40) => vec![(
            "QA",
            Action::IncidentOpen {
                title: "Đơn hàng không lưu được".into(),
                severity: Severity::P2,
                description: String::new(),
                eta_minutes: Some(30),
            },
        )],
        (8, 44) => vec![(
            "DevOps",
            Action::MetricRecord { metric: "Response p95".into(), value: 650.0, unit: Some("ms".into()), source: None },
        )],
        _ => Vec::new(),
    }
}

struct Sim {
    svc: Service,
    clock: Arc<FakeClock>,
}

impl Sim {
    fn open(path: &Path, clock: &Arc<FakeClock>, role: &str, lang: Lang) -> Self {
        let mut svc = Service::with_demo(Store::open(path).unwrap(), clock.clone()).unwrap();
        svc.set_me(&Me { name: format!("{role} person"), role: role.into() }).unwrap();
        let settings = NotifySettings { lang, ..NotifySettings::default() };
        svc.set_notify_settings(&settings).unwrap();
        Self { svc, clock: clock.clone() }
    }

    /// Plays the script at `now`, then lets the watcher look.
    fn minute(&mut self, h: u32, m: u32) -> Vec<Notice> {
        self.clock.set(local(h, m));
        for (role, action) in script(h, m) {
            self.svc.act(&Request { at: None, run: None, by: Some(by(role)), action }).unwrap();
        }
        self.svc.notify_tick().unwrap().0
    }
}

/// Every minute from `from` to `to` (local), skipping `asleep`, collecting what was shown.
fn day(sim: &mut Sim, from: (u32, u32), to: (u32, u32), asleep: Option<((u32, u32), (u32, u32))>) -> Vec<Notice> {
    let mut out = Vec::new();
    let (mut h, mut m) = from;
    while (h, m) <= to {
        let sleeping = asleep.is_some_and(|(a, b)| (h, m) >= a && (h, m) < b);
        if sleeping {
            // The script still happens on the other laptops.
            sim.clock.set(local(h, m));
            for (role, action) in script(h, m) {
                sim.svc.act(&Request { at: None, run: None, by: Some(by(role)), action }).unwrap();
            }
        } else {
            out.extend(sim.minute(h, m));
        }
        m += 1;
        if m == 60 {
            (h, m) = (h + 1, 0);
        }
    }
    out
}

fn lines(shown: &[Notice]) -> String {
    shown
        .iter()
        .map(|n| format!("{} {:<18} {} | {}", n.at.hm(), n.kind.as_str(), n.title, n.body))
        .collect::<Vec<_>>()
        .join("\n")
}

fn whole_day(role: &str) -> Vec<Notice> {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::new(local(5, 45)));
    let mut sim = Sim::open(&dir.path().join("w.db"), &clock, role, Lang::En);
    day(&mut sim, (5, 50), (11, 5), None)
}

#[test]
fn a_dba_is_told_of_their_tasks_checkpoints_and_what_concerns_everyone() {
    let shown = whole_day("DBA");
    insta::assert_snapshot!("dba_day", lines(&shown));
    let keys: Vec<&str> = shown.iter().map(|n| n.key.as_str()).collect();
    assert!(keys.contains(&"task_due:1.3") && keys.contains(&"task_overdue:2.1"), "{keys:?}");
    assert!(keys.contains(&"signoff_waiting:1.5"), "the DBA alone had not signed checkpoint 1");
    assert!(!keys.contains(&"task_overdue:1.3"), "1.3 was done in time: {keys:?}");
    assert!(!keys.iter().any(|k| k.starts_with("task_due:2.2")), "not the DBA's task");
    let mut unique = keys.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "each fires once");
}

#[test]
fn a_tech_lead_gets_the_checkpoints_and_the_rollback_deadline() {
    let shown = whole_day("Tech Lead");
    insta::assert_snapshot!("tech_lead_day", lines(&shown));
    let deadline: Vec<String> =
        shown.iter().filter(|n| n.kind == NoticeKind::RollbackDeadline).map(|n| n.at.hm()).collect();
    assert_eq!(deadline, ["10:30", "10:45", "10:55", "11:00"]);
    assert_eq!(shown.iter().filter(|n| n.kind == NoticeKind::PointOfNoReturn).count(), 1);
    assert!(shown.iter().any(|n| n.kind == NoticeKind::Incident && n.title.contains("P2")));
    assert!(shown.iter().any(|n| n.kind == NoticeKind::MetricAlert && n.body.starts_with("650ms")));
}

#[test]
fn a_restart_in_the_middle_fires_nothing_twice_and_misses_nothing() {
    let straight = whole_day("DBA");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let clock = Arc::new(FakeClock::new(local(5, 45)));
    let mut sim = Sim::open(&path, &clock, "DBA", Lang::En);
    let mut shown = day(&mut sim, (5, 50), (7, 29), None);
    drop(sim);
    // Restarted a minute later: not away long enough for a summary.
    let mut sim = Sim { svc: Service::new(Store::open(&path).unwrap(), clock.clone()).unwrap(), clock: clock.clone() };
    shown.extend(day(&mut sim, (7, 30), (11, 5), None));
    assert_eq!(lines(&shown), lines(&straight));
}

#[test]
fn a_laptop_asleep_from_8_to_9_30_gets_one_summary_then_carries_on() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::new(local(5, 45)));
    let mut sim = Sim::open(&dir.path().join("w.db"), &clock, "Tech Lead", Lang::En);
    let shown = day(&mut sim, (5, 50), (11, 5), Some(((8, 0), (9, 30))));
    let straight = whole_day("Tech Lead");
    let at = |n: &Notice| n.at.hm();
    let before: Vec<_> = straight.iter().filter(|n| at(n).as_str() < "08:00").cloned().collect();
    assert_eq!(lines(&shown[..before.len()]), lines(&before), "the same until 8:00");
    let woke = &shown[before.len()];
    assert_eq!(woke.kind, NoticeKind::Summary);
    assert_eq!(at(woke), "09:30");
    assert_eq!(woke.title, "While you were away");
    assert_eq!(woke.body, "1 P1/P2 incident, 1 metric alert, 1 checkpoint due");
    let individually: Vec<_> = shown.iter().filter(|n| at(n).as_str() >= "08:00" && at(n).as_str() < "09:30").collect();
    assert!(individually.is_empty(), "nothing from the sleep shown one by one: {individually:?}");
    let after: Vec<_> = straight.iter().filter(|n| at(n).as_str() > "09:30").cloned().collect();
    let shown_after: Vec<_> = shown.iter().filter(|n| at(n).as_str() > "09:30").cloned().collect();
    assert_eq!(lines(&shown_after), lines(&after), "and the same after");
}

#[test]
fn waking_after_the_deadline_says_it_passed_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::new(local(5, 45)));
    let mut sim = Sim::open(&dir.path().join("w.db"), &clock, "Tech Lead", Lang::En);
    let shown = day(&mut sim, (5, 50), (11, 5), Some(((10, 0), (11, 5))));
    let woke = shown.last().unwrap();
    assert_eq!(woke.kind, NoticeKind::Summary);
    assert!(woke.body.contains("the rollback deadline passed") && !woke.body.contains("reminder"), "{}", woke.body);
}

#[test]
fn texts_follow_the_language_and_keep_the_runbook_words() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::new(local(5, 45)));
    let mut sim = Sim::open(&dir.path().join("w.db"), &clock, "DBA", Lang::Vi);
    let shown = day(&mut sim, (5, 50), (7, 13), None);
    let due = shown.iter().find(|n| n.key == "task_due:1.3").unwrap();
    assert_eq!(due.title, "Việc 1.3 bắt đầu sau 5 phút");
    assert!(due.body.starts_with("Khóa hệ thống cũ (read-only) · DBA · dự kiến"), "{}", due.body);
    let late = shown.iter().find(|n| n.key == "task_overdue:2.1").unwrap();
    assert_eq!(late.title, "Việc 2.1 đã trễ 5 phút");
}

#[test]
fn a_snoozed_notification_comes_back_unless_its_task_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::new(local(5, 45)));
    let mut sim = Sim::open(&dir.path().join("w.db"), &clock, "DBA", Lang::En);
    // 2.1 started at 6:38 for its 30 minutes: overdue five minutes after 7:08.
    let shown = day(&mut sim, (5, 50), (7, 13), None);
    assert!(shown.iter().any(|n| n.key == "task_overdue:2.1"), "2.1 overdue at 7:13");
    sim.svc.snooze("task_overdue:2.1", 1).unwrap();
    let again = day(&mut sim, (7, 14), (7, 14), None);
    assert_eq!(again.iter().map(|n| n.key.as_str()).collect::<Vec<_>>(), ["task_overdue:2.1"]);
    assert_eq!(clock.now(), local(7, 14), "a minute later");

    sim.svc.snooze("task_overdue:2.1", 5).unwrap();
    let after_done = day(&mut sim, (7, 15), (7, 25), None);
    assert!(after_done.iter().all(|n| n.key != "task_overdue:2.1"), "done at 7:15: not again {after_done:?}");
    assert!(sim.svc.snooze("nothing:here", 5).is_err());

    let recent: Vec<Shown> = sim.svc.recent_notifications().unwrap();
    assert_eq!(recent[0].notice.key, "task_overdue:2.1", "newest first");
}

#[test]
fn the_watcher_sleeps_until_the_next_moment_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::new(local(5, 45)));
    let mut sim = Sim::open(&dir.path().join("w.db"), &clock, "DBA", Lang::En);
    day(&mut sim, (5, 50), (6, 9), None);
    // 1.3 (DBA) is planned for 6:15 and nothing runs late yet: told at 6:10.
    clock.set(local(6, 9) + Duration::seconds(30));
    let (shown, next) = sim.svc.notify_tick().unwrap();
    assert!(shown.is_empty(), "{shown:?}");
    assert_eq!(next, local(6, 10), "no polling: it wakes at the moment");
    clock.set(next);
    let (shown, next) = sim.svc.notify_tick().unwrap();
    assert_eq!(shown.iter().map(|n| n.key.as_str()).collect::<Vec<_>>(), ["task_due:1.3"]);
    assert!(next <= local(6, 11), "and at least once a minute, to tell awake from away");
}

#[test]
fn nothing_before_a_run_and_nothing_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::new(local(5, 45)));
    let mut sim = Sim::open(&dir.path().join("w.db"), &clock, "DBA", Lang::En);
    assert!(sim.svc.notify_tick().unwrap().0.is_empty());
    day(&mut sim, (5, 50), (6, 0), None);
    sim.svc
        .act(&Request {
            at: None,
            run: None,
            by: Some(by("Tech Lead")),
            action: Action::RunEnd { state: RunState::Abandoned },
        })
        .unwrap();
    assert!(sim.svc.notify_moments(None, None).unwrap().is_empty());
    for minute in 1..120 {
        clock.set(local(6, 0) + Duration::minutes(minute));
        assert!(sim.svc.notify_tick().unwrap().0.is_empty());
    }
}

/// A night across midnight in America/Los_Angeles (tests/fixtures/night-rollback.md: window
/// 23:30–03:00, rollback deadline 02:15, rollback steps of 10, 15 and 20 minutes). Freezing
/// writes (1.2, planned 23:45–00:30) takes until 01:20, a 50-minute overrun; a P1 incident is
/// opened at 01:40; Tech Lead and DBA approve a rollback at 02:05 and it is decided at 02:08.
mod night {
    use super::*;
    use warroom_model::api::ImportRequest;

    const NIGHT: &str = include_str!("../../../../tests/fixtures/night-rollback.md");

    /// `h:m` on the night of 2026-03-20: from noon on the 20th, before noon on the 21st.
    pub(super) fn at(h: u32, m: u32) -> DateTime<Utc> {
        let tz: chrono_tz::Tz = "America/Los_Angeles".parse().unwrap();
        let day = if h >= 12 { 20 } else { 21 };
        tz.with_ymd_and_hms(2026, 3, day, h, m, 0).unwrap().with_timezone(&Utc)
    }

    pub(super) fn script(h: u32, m: u32, rollback: bool) -> Vec<(&'static str, Action)> {
        let task = |id: &str, verb| Action::Task { task: id.into(), verb, note: None, at: None };
        let sign = |id: &str| Action::CheckpointSign { id: id.into(), role: None };
        match (h, m) {
            (23, 25) => vec![(
                "Tech Lead",
                Action::RunStart {
                    kind: RunKind::Live,
                    date: "2026-03-20".into(),
                    tz: "America/Los_Angeles".into(),
                    durations_from: None,
                },
            )],
            (23, 30) => vec![("Tech Lead", task("1.1", TaskVerb::Start))],
            (23, 45) => vec![("Tech Lead", task("1.1", TaskVerb::Done)), ("DBA", task("1.2", TaskVerb::Start))],
            (1, 20) => vec![
                ("DBA", task("1.2", TaskVerb::Done)),
                ("Tech Lead", sign("1.3")),
                ("DBA", sign("1.3")),
                ("Tech Lead", Action::CheckpointDecide { id: "1.3".into(), decision: Decision::Go, reason: None }),
                ("DBA", task("2.1", TaskVerb::Start)),
            ],
            (1, 40) => vec![(
                "DBA",
                Action::IncidentOpen {
                    title: "Data corruption in orders".into(),
                    severity: Severity::P1,
                    description: "totals doubled after the copy".into(),
                    eta_minutes: None,
                },
            )],
            (2, 5) if rollback => vec![("Tech Lead", Action::RollbackApprove), ("DBA", Action::RollbackApprove)],
            (2, 8) if rollback => vec![(
                "Tech Lead",
                Action::RollbackDecide {
                    rollback: true,
                    reason: "orders corrupted in the copy".into(),
                    incident: None,
                },
            )],
            (2, 16) if rollback => vec![("Network", Action::RollbackStep { id: "r1".into() })],
            // Without a rollback the night goes on, late.
            (2, 20) if !rollback => {
                vec![("DBA", task("2.1", TaskVerb::Done)), ("Network", task("2.2", TaskVerb::Start))]
            }
            (2, 58) if !rollback => vec![
                ("Network", task("2.2", TaskVerb::Done)),
                ("Tech Lead", sign("2.3")),
                ("DBA", sign("2.3")),
                ("Tech Lead", Action::CheckpointDecide { id: "2.3".into(), decision: Decision::Go, reason: None }),
                ("Tech Lead", task("3.1", TaskVerb::Start)),
            ],
            (3, 5) if !rollback => {
                vec![("Tech Lead", task("3.1", TaskVerb::Done)), ("Tech Lead", task("3.2", TaskVerb::Start))]
            }
            (3, 15) if !rollback => vec![("Tech Lead", task("3.2", TaskVerb::Done))],
            (3, 16) if !rollback => vec![("Network", task("3.3", TaskVerb::Start))],
            _ => Vec::new(),
        }
    }

    pub(super) struct Night {
        pub(super) svc: Service,
        pub(super) clock: Arc<FakeClock>,
        rollback: bool,
        /// The next minute to play.
        next: DateTime<Utc>,
    }

    impl Night {
        pub(super) fn open(path: &Path, role: &str, rollback: bool) -> Self {
            let clock = Arc::new(FakeClock::new(at(22, 0)));
            let mut svc = Service::new(Store::open(path).unwrap(), clock.clone()).unwrap();
            svc.set_me(&Me { name: format!("{role} person"), role: role.into() }).unwrap();
            let req = ImportRequest {
                name: "night-rollback.md".into(),
                text: NIGHT.into(),
                replace: false,
                ..Default::default()
            };
            svc.import(&req).unwrap();
            Self { svc, clock, rollback, next: at(23, 25) }
        }

        /// Plays every minute from 23:25 (or where it stopped) to `h:m`; `watch`: the watcher
        /// ticks each minute, and what it showed is returned.
        pub(super) fn until(&mut self, (h, m): (u32, u32), watch: bool) -> Vec<Notice> {
            let mut shown = Vec::new();
            let mut t = self.next;
            while t <= at(h, m) {
                self.clock.set(t);
                let local = t.with_timezone(&chrono_tz::America::Los_Angeles);
                use chrono::Timelike;
                for (role, action) in script(local.hour(), local.minute(), self.rollback) {
                    self.svc.act(&Request { at: None, run: None, by: Some(by(role)), action }).unwrap();
                }
                if watch {
                    shown.extend(self.svc.notify_tick().unwrap().0);
                }
                t += Duration::minutes(1);
            }
            self.next = t;
            shown
        }

        /// Every moment `role` gets, as the run stands now.
        pub(super) fn moments(&mut self, role: &str) -> Vec<Notice> {
            self.svc.notify_moments(Some(role), None).unwrap()
        }
    }

    fn find<'a>(ns: &'a [Notice], key: &str) -> Option<&'a Notice> {
        ns.iter().find(|n| n.key == key)
    }

    #[test]
    fn a_task_is_never_told_overdue_before_it_is_told_to_start() {
        let dir = tempfile::tempdir().unwrap();
        let mut n = Night::open(&dir.path().join("w.db"), "Network", false);
        n.until((1, 25), false);
        let plan = n.moments("Network");
        // 3.3 (Network) was planned 02:45–03:00; fifty minutes late it is forecast at 03:15.
        let due = find(&plan, "task_due:3.3").unwrap();
        let late = find(&plan, "task_overdue:3.3").unwrap();
        assert_eq!(due.at, "2026-03-21T03:10:00-07:00", "five minutes before its forecast start");
        assert_eq!(late.at, "2026-03-21T03:35:00-07:00", "its fifteen minutes after 03:15, and five more");
        assert_eq!(late.body, "Re-enable deployments · Network · due to finish at 03:30 (planned 03:00)");
        for t in ["2.2", "3.3"] {
            let (due, late) = (find(&plan, &format!("task_due:{t}")), find(&plan, &format!("task_overdue:{t}")));
            assert!(due.unwrap().at.0 < late.unwrap().at.0, "{t}: {}", lines(&plan));
        }
        // Watched all night, each task is told to start before it is told it is late.
        let dir = tempfile::tempdir().unwrap();
        let mut watched = Night::open(&dir.path().join("w.db"), "Network", false);
        let shown = watched.until((3, 40), true);
        for t in ["2.2", "3.3"] {
            let pos = |k: &str| shown.iter().position(|n| n.key == format!("{k}:{t}"));
            assert!(pos("task_due") < pos("task_overdue"), "{t}:\n{}", lines(&shown));
        }
    }

    #[test]
    fn the_point_of_no_return_is_planned_when_the_gauge_turns_red() {
        let dir = tempfile::tempdir().unwrap();
        let mut n = Night::open(&dir.path().join("w.db"), "DBA", false);
        let ponr = |ns: &[Notice]| find(ns, "point_of_no_return").map(|x| x.at.rfc3339());
        n.until((23, 40), false);
        assert_eq!(ponr(&n.moments("DBA")), None, "on plan the go-live ends 02:00, before the deadline");
        // Freezing writes runs past 00:30: the forecast end moves with it, and so does the point.
        n.until((0, 35), false);
        assert_eq!(ponr(&n.moments("DBA")), None, "forecast to end 02:05, still before 02:15");
        n.until((0, 50), false);
        assert_eq!(
            ponr(&n.moments("DBA")).as_deref(),
            Some("2026-03-21T01:45:00-07:00"),
            "02:20 > 02:15: red at 01:45"
        );
        n.until((1, 25), false);
        let plan = n.moments("Tech Lead");
        assert_eq!(ponr(&plan).as_deref(), Some("2026-03-21T01:45:00-07:00"), "in a plan taken before it happens");
        assert_eq!(n.svc.status(None, Some(at(1, 45))).unwrap().unwrap().rollback.state, Rag::Red);
        assert_eq!(n.svc.status(None, Some(at(1, 44))).unwrap().unwrap().rollback.state, Rag::Amber);
        n.until((2, 3), false);
        assert_eq!(
            ponr(&n.moments("Network")).as_deref(),
            Some("2026-03-21T01:45:00-07:00"),
            "not when the plan is taken"
        );
        let dir = tempfile::tempdir().unwrap();
        let mut watched = Night::open(&dir.path().join("w.db"), "Network", false);
        let shown = watched.until((2, 10), true);
        assert_eq!(
            shown.iter().filter(|x| x.kind == NoticeKind::PointOfNoReturn).map(|x| x.at.hm()).collect::<Vec<_>>(),
            ["01:45"]
        );
    }

    #[test]
    fn a_rollback_decision_is_told_to_everyone_and_the_go_live_reminders_stop() {
        let dir = tempfile::tempdir().unwrap();
        let mut n = Night::open(&dir.path().join("w.db"), "Network", true);
        n.until((2, 8), false);
        let decided = at(2, 8);
        for role in ["Tech Lead", "DBA", "Network", ""] {
            let plan = n.moments(role);
            let after: Vec<&Notice> = plan.iter().filter(|x| super::at(x).is_some_and(|t| t >= decided)).collect();
            let kinds: Vec<&str> = after.iter().map(|x| x.kind.as_str()).collect();
            assert_eq!(
                kinds,
                ["rollback_decided", "rollback_step", "rollback_step", "rollback_step"],
                "{role:?}: {}",
                lines(&plan)
            );
            assert_eq!(
                after[0].title,
                "Rollback decided by Tech Lead person (Tech Lead): orders corrupted in the copy"
            );
            assert_eq!(after[0].body, "3 steps, 45 min; the window ends 03:00. Go-live reminders stop.");
            let steps: Vec<(String, &str)> = after[1..].iter().map(|x| (x.at.hm(), x.title.as_str())).collect();
            assert_eq!(
                steps,
                [
                    ("02:08".into(), "Rollback step 1 of 3: Stop writes on the new site"),
                    ("02:18".into(), "Rollback step 2 of 3: Point DNS back"),
                    ("02:33".into(), "Rollback step 3 of 3: Restore the orders database"),
                ]
            );
            assert!(plan.iter().any(|x| x.kind == NoticeKind::Incident), "what came before stays: {role:?}");
        }
        // The first step done early moves the next ones with it.
        n.until((2, 16), false);
        let plan = n.moments("DBA");
        let steps: Vec<(&str, String)> =
            plan.iter().filter(|x| x.kind == NoticeKind::RollbackStep).map(|x| (x.key.as_str(), x.at.hm())).collect();
        assert_eq!(steps, [("rollback_step:r2", "02:16".to_owned()), ("rollback_step:r3", "02:31".to_owned())]);

        // Watched all night on Network's laptop: nothing of the go-live after 02:08, not even
        // 3.3 (Network's) at 03:10; the decision and each step as it falls due.
        let dir = tempfile::tempdir().unwrap();
        let mut watched = Night::open(&dir.path().join("w.db"), "Network", true);
        let shown = watched.until((3, 30), true);
        let after: Vec<String> = shown
            .iter()
            .filter(|x| super::at(x).is_some_and(|t| t >= decided))
            .map(|x| format!("{} {}", x.at.hm(), x.kind.as_str()))
            .collect();
        assert_eq!(
            after,
            ["02:08 rollback_decided", "02:08 rollback_step", "02:16 rollback_step", "02:31 rollback_step"],
            "{}",
            lines(&shown)
        );
    }

    #[test]
    fn fix_forward_is_told_to_everyone_with_what_is_being_fixed() {
        let dir = tempfile::tempdir().unwrap();
        let mut n = Night::open(&dir.path().join("w.db"), "Network", false);
        n.until((2, 20), false);
        let fix = Action::RollbackDecide { rollback: false, reason: "hotfix the copy job".into(), incident: None };
        n.svc.act(&Request { at: None, run: None, by: Some(by("Tech Lead")), action: fix }).unwrap();
        for role in ["Tech Lead", "DBA", "Network"] {
            let plan = n.moments(role);
            let told = find(&plan, "fix_forward_decided").unwrap();
            assert_eq!((told.at.hm(), told.kind), ("02:20".to_owned(), NoticeKind::FixForwardDecided));
            assert_eq!(told.title, "Fix forward decided by Tech Lead person (Tech Lead): hotfix the copy job");
            assert_eq!(told.body, "Fixing: P1 Data corruption in orders");
        }
        // The go-live goes on: Network is still told when 3.3 starts.
        assert!(find(&n.moments("Network"), "task_due:3.3").is_some());
        assert!(find(&n.moments("Network"), "rollback_step:r1").is_none());
    }

    #[test]
    fn the_incident_notice_names_the_matrix_row_of_its_issue() {
        let dir = tempfile::tempdir().unwrap();
        let mut n = Night::open(&dir.path().join("w.db"), "Network", false);
        n.until((1, 40), false);
        let inc = n.moments("Network").into_iter().find(|x| x.kind == NoticeKind::Incident).unwrap();
        assert_eq!(inc.title, "P1 incident: Data corruption in orders");
        assert_eq!(
            inc.body,
            "Opened by DBA person (DBA) · matrix: rollback (Data corruption; approval: Tech Lead + DBA)"
        );
    }
}
