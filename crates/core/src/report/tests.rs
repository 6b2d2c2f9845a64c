use super::*;
use crate::FakeClock;
use crate::service::Service;
use chrono::TimeZone as _;
use std::sync::Arc;
use warroom_model::Author;
use warroom_model::api::{Action, ImportRequest, Me, Request, TaskVerb};
use warroom_model::live::{Decision, RunKind, Severity};

const NIGHT: &str = include_str!("../../../../tests/fixtures/night-failover.md");

/// 20 March 2026 in Los Angeles (PDT), `day` days later at `h:m`.
fn la(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    chrono_tz::America::Los_Angeles.with_ymd_and_hms(2026, 3, 20 + day, h, m, 0).unwrap().with_timezone(&Utc)
}

struct Night {
    svc: Service,
    clock: Arc<FakeClock>,
}

impl Night {
    fn new(runbook: &str, date: &str, at: DateTime<Utc>) -> Self {
        let clock = Arc::new(FakeClock::new(at));
        let mut svc = Service::new(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        svc.set_me(&Me { name: "Lan".into(), role: "Tech Lead".into() }).unwrap();
        let imported = svc
            .import(&ImportRequest {
                name: "night-failover.md".into(),
                text: runbook.into(),
                replace: false,
                ..Default::default()
            })
            .unwrap();
        assert!(imported.imported, "{}", imported.summary);
        let mut n = Self { svc, clock };
        let start = Action::RunStart {
            kind: RunKind::Live,
            date: date.into(),
            tz: "America/Los_Angeles".into(),
            durations_from: None,
        };
        n.act(at, ("Lan", "Tech Lead"), start);
        n
    }

    fn act(&mut self, at: DateTime<Utc>, by: (&str, &str), action: Action) {
        self.entered(at, by, action, None);
    }

    /// Records `action` at `at`, as having happened at `happened` when given (back-filled).
    fn entered(&mut self, at: DateTime<Utc>, by: (&str, &str), action: Action, happened: Option<&str>) {
        self.clock.set(at);
        let by = Some(Author { name: by.0.into(), role: by.1.into() });
        let req = Request { run: None, by, at: happened.map(str::to_owned), action: action.clone() };
        if let Err(e) = self.svc.act(&req) {
            panic!("{action:?} at {at} was refused: {e}");
        }
    }

    fn task(&mut self, at: DateTime<Utc>, by: (&str, &str), task: &str, verb: TaskVerb, note: Option<&str>) {
        self.act(at, by, Action::Task { task: task.into(), verb, note: note.map(str::to_owned), at: None });
    }

    fn text(&mut self, at: DateTime<Utc>) -> (Doc, String) {
        self.clock.set(at);
        let doc = document(&self.svc.record(None).unwrap());
        let text = doc
            .blocks
            .iter()
            .map(|b| match b {
                Block::Title(t) | Block::Text(t) | Block::Alert(t) | Block::Heading(t) | Block::Subheading(t) => {
                    t.clone()
                }
                Block::Table { head, rows, .. } => {
                    let rows = rows.iter().map(|r| r.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(" | "));
                    std::iter::once(head.join(" | ")).chain(rows).collect::<Vec<_>>().join("\n")
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        (doc, text)
    }
}

const MAI: (&str, &str) = ("Mai", "Incident Commander");
const LAN: (&str, &str) = ("Lan", "Tech Lead");
const HUY: (&str, &str) = ("Huy", "DBA");
const MINH: (&str, &str) = ("Minh", "Network");

/// The night of 20 to 21 March 2026: the failover runs 50 minutes over, data corruption is
/// found at 01:50, a rollback is approved by the Tech Lead and the DBA and decided at 02:08,
/// 7 minutes before the 02:15 deadline (entered at 02:18), and its three steps are done by 02:50.
fn night_with_a_rollback() -> (Night, String) {
    let mut n = Night::new(NIGHT, "2026-03-20", la(0, 23, 20));
    n.task(la(0, 23, 30), MAI, "1.1", TaskVerb::Start, None);
    n.task(la(0, 23, 36), MAI, "1.1", TaskVerb::Done, None);
    n.task(la(0, 23, 41), HUY, "1.2", TaskVerb::Start, None);
    n.task(la(0, 23, 52), HUY, "1.2", TaskVerb::Done, Some("DC-East read-only, checked twice"));
    for who in [MAI, LAN, HUY, MINH] {
        n.act(la(0, 23, 54), who, Action::CheckpointSign { id: "1.3".into(), role: None });
    }
    n.act(la(0, 23, 56), LAN, Action::CheckpointDecide { id: "1.3".into(), decision: Decision::Go, reason: None });
    n.task(la(1, 0, 2), HUY, "2.1", TaskVerb::Start, None);
    n.task(la(1, 1, 5), HUY, "2.1", TaskVerb::Done, None);
    n.task(la(1, 1, 6), MINH, "2.2", TaskVerb::Start, None);
    let open = Action::IncidentOpen {
        title: "Data corruption in orders".into(),
        severity: Severity::P1,
        description: "Order totals differ between DC-East and DC-West.".into(),
        eta_minutes: Some(30),
    };
    n.act(la(1, 1, 50), HUY, open);
    let incident = n.svc.status(None, None).unwrap().unwrap().incidents[0].id.clone();
    n.task(la(1, 2, 0), MINH, "2.2", TaskVerb::Done, None);
    n.act(
        la(1, 2, 3),
        HUY,
        Action::IncidentUpdate {
            id: incident.clone(),
            note: "212 orders differ".into(),
            severity: None,
            eta_minutes: None,
        },
    );
    n.act(la(1, 2, 5), LAN, Action::RollbackApprove);
    n.act(la(1, 2, 6), HUY, Action::RollbackApprove);
    let decide = Action::RollbackDecide {
        rollback: true,
        reason: "order data corrupted on DC-West".into(),
        incident: Some(incident.clone()),
    };
    n.entered(la(1, 2, 18), LAN, decide, Some("02:08"));
    n.act(la(1, 2, 20), MAI, Action::RollbackStep { id: "r1".into() });
    n.act(la(1, 2, 35), MINH, Action::RollbackStep { id: "r2".into() });
    n.act(la(1, 2, 50), HUY, Action::RollbackStep { id: "r3".into() });
    n.act(la(1, 2, 55), HUY, Action::IncidentResolve { id: incident.clone(), note: "rolled back to DC-East".into() });
    (n, incident)
}

#[test]
fn the_record_of_a_rolled_back_night_stands_on_its_own() {
    let (mut n, _) = night_with_a_rollback();
    let (doc, text) = n.text(la(1, 3, 10));
    let has = |s: &str| assert!(text.contains(s), "the record says {s:?}:\n{text}");
    // The window and the implementation's planned end, apart.
    has("Window | 23:30 – 03:00 (21/03)");
    has("Implementation planned | 23:30 – 02:30 (21/03)");
    has("Every time is in America/Los_Angeles");
    // The decision, its reason, who took it and when against the deadline.
    has("Decision | ROLLBACK");
    has("Reason | order data corrupted on DC-West");
    has("Decided by | Lan (Tech Lead) on laptop");
    has("When | 02:08 (21/03), 7 min before the 02:15 (21/03) deadline");
    has("Entered | 02:18 (21/03) by Lan, back-filled");
    has("Tech Lead — Lan, 02:05 (21/03) on laptop");
    has("DBA — Huy, 02:06 (21/03) on laptop");
    has("Incident followed | P1 Data corruption in orders");
    has("Decision-matrix row | Data corruption (P1): YES; approvers Tech Lead + DBA");
    // Each step with who and when.
    has("1 | Announce the rollback on the bridge | 15 (share) | Mai (Incident Commander) | 02:20 (21/03)");
    has("3 | Re-enable writes on DC-East | 15 (share) | Huy (DBA) | 02:50 (21/03)");
    // The incident: what the matrix said and what was decided.
    has("Matrix recommends | roll back (row Data corruption (P1): YES; approvers Tech Lead + DBA)");
    has("Decided | ROLLBACK by Lan (Tech Lead), 02:08 (21/03), naming this incident");
    // Labels, the importer, local times in the event log.
    has("1.3 CHECKPOINT A: Go/No-Go for cutover");
    has("Runbook imported from night-failover.md by Lan (Tech Lead) on laptop");
    has("Recorded | Who | Laptop | What | Changes");
    has("23:36:00 | Mai (Incident Commander)");
    has("02:18:00 (21/03) | Lan (Tech Lead)");
    assert!(!text.contains("T09:08"), "no UTC instant is left in the record:\n{text}");
    assert!(!text.contains("UTC"), "no time in UTC:\n{text}");
    let tasks = text.split("Phases and tasks").nth(1).and_then(|t| t.split("\nRollback\n").next()).unwrap();
    assert_eq!(tasks.matches("DC-East read-only, checked twice").count(), 1, "a task's note once:\n{tasks}");
    has("Phase 3: Open up · planned 02:30 (21/03) – 03:00 (21/03) · not finished");
    has("Implementation variance | not finished: the run was rolled back");
    has("runbook imported from night-failover.md");
    has("Outcome: rolled back");
    assert!(!text.contains("PARTIAL RECORD"));
    // What the PDF says about itself.
    assert_eq!(doc.title, "DATACENTER FAILOVER NIGHT — audit record");
    assert!(doc.meta.keywords.iter().any(|k| k.contains(&doc.digest)));
    assert_eq!(doc.meta.authors, vec!["Huy", "Lan", "Mai", "Minh"]);
    assert_eq!(doc.meta.created.to_rfc3339(), "2026-03-21T03:10:00-07:00");
    assert!(doc.meta.subject.contains("rolled back"), "{}", doc.meta.subject);
    let pdf = render(&n.svc.record(None).unwrap(), ReportFormat::Pdf, Paper::A4).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn a_run_recorded_months_after_its_date_says_so_instead_of_printing_variances() {
    // The night planned for 20 March is entered on 27 November, as it happens, no back-filling.
    let late =
        |h, m| chrono_tz::America::Los_Angeles.with_ymd_and_hms(2026, 11, 27, h, m, 0).unwrap().with_timezone(&Utc);
    let mut n = Night::new(NIGHT, "2026-03-20", late(9, 0));
    n.task(late(9, 1), MAI, "1.1", TaskVerb::Done, None);
    n.task(late(9, 2), HUY, "1.2", TaskVerb::Done, None);
    let (_, text) = n.text(late(9, 5));
    assert!(text.contains("Variance | not shown: the run was recorded 251 day(s) after its planned date"), "{text}");
    assert!(!text.contains("+3"), "no variance of months in minutes:\n{text}");
    assert!(!text.contains("variance"), "no phase variance either:\n{text}");
}
