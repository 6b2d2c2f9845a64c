use super::*;
use crate::clock::{Clock, FakeClock};
use crate::service::Service;
use crate::store::Store;
use chrono::TimeZone;
use std::path::Path;
use std::sync::Arc;
use warroom_model::api::{Action, Me, Request, TaskVerb};
use warroom_model::live::{RunKind, RunState};
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
    let shown = day(&mut sim, (5, 50), (7, 10), None);
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
    let shown = day(&mut sim, (5, 50), (7, 5), None);
    assert!(shown.iter().any(|n| n.key == "task_overdue:2.1"), "2.1 overdue at 7:05");
    sim.svc.snooze("task_overdue:2.1", 5).unwrap();
    let again = day(&mut sim, (7, 6), (7, 10), None);
    assert_eq!(again.iter().map(|n| n.key.as_str()).collect::<Vec<_>>(), ["task_overdue:2.1"]);
    assert_eq!(clock.now(), local(7, 10), "five minutes later");

    sim.svc.snooze("task_overdue:2.1", 5).unwrap();
    let after_done = day(&mut sim, (7, 11), (7, 20), None);
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
