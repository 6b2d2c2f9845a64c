//! The agenda, lateness, the next action and one sign-off per role, on the demo runbook's day.

use super::actions::TaskAction;
use super::tests::{Day, ROLES, task};
use super::*;
use warroom_model::Refusal;

fn ids(v: &[warroom_model::TaskId]) -> Vec<&str> {
    v.iter().map(|t| t.as_str()).collect()
}

#[test]
fn every_open_task_once_in_forecast_order_and_only_reachable_work_is_overdue() {
    let mut d = Day::new();
    d.work("1.1", (6, 0), (6, 12));
    d.at(6, 12);
    d.task("1.2", TaskAction::Start).unwrap();
    let s = d.at(6, 25).status();
    let agenda = ids(&s.agenda);
    assert_eq!(&agenda[..4], ["1.2", "1.3", "1.4", "1.5"], "{agenda:?}");
    let mut seen = std::collections::HashSet::new();
    assert!(agenda.iter().all(|id| seen.insert(*id)), "a task twice: {agenda:?}");
    let open = s.tasks.iter().filter(|t| !t.status.is_closed()).count();
    assert_eq!(agenda.len(), open, "every open task is on it");
    assert!(!agenda.contains(&"1.1"), "done work is not");
    let starts: Vec<_> = s.agenda.iter().map(|id| task(&s, id.as_str()).forecast_start.to_utc()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "forecast order");
    // 1.2 runs past its 06:15 finish: late now. 1.3 was planned to finish at 06:20, but it waits
    // for 1.2: late in forecast, not overdue.
    assert_eq!(ids(&s.overdue), ["1.2"]);
    assert!(!task(&s, "1.3").overdue && !task(&s, "1.3").ready);
    assert!(task(&s, "1.3").variance_minutes > 0, "its forecast says it ends late");
    assert_eq!(
        s.next_action,
        Some(NextAction::Finish {
            task: "1.2".into(),
            title: task(&s, "1.2").title.clone(),
            owner: "Tech Lead".into(),
            at: task(&s, "1.2").forecast_finish,
        }),
        "nothing can start: finish what is under way"
    );
}

#[test]
fn the_next_action_chases_the_sign_offs_then_asks_for_the_decision_then_the_next_task() {
    let mut d = Day::new();
    d.work("1.1", (6, 0), (6, 10));
    d.work("1.2", (6, 10), (6, 15));
    d.work("1.3", (6, 15), (6, 20));
    d.work("1.4", (6, 20), (6, 30));
    let s = d.status();
    let Some(NextAction::Chase { checkpoint, missing, .. }) = s.next_action else {
        panic!("the checkpoint waits for its sign-offs: {:?}", s.next_action)
    };
    assert_eq!((checkpoint.as_str(), missing.len()), ("1.5", ROLES.len()));

    let run = d.run.clone();
    d.act("Tech Lead").checkpoint_sign(Some(&run), "1.5", None).unwrap();
    // The same role again, by someone else: refused, and the list keeps one.
    let again = d.act("Tech Lead").checkpoint_sign(Some(&run), "1.5", Some("tech lead")).unwrap_err();
    match again {
        LiveError::Refused(Refusal::AlreadySigned { id, role, by }) => {
            assert_eq!((id.as_str(), role.as_str(), by.as_str()), ("1.5", "Tech Lead", "Tech Lead person"));
        }
        other => panic!("{other}"),
    }
    let s = d.status();
    let cp = s.checkpoints.iter().find(|c| c.id == "1.5").unwrap();
    assert_eq!(cp.signed.len(), 1);
    let Some(NextAction::Chase { missing, .. }) = &s.next_action else { panic!("{:?}", s.next_action) };
    assert!(!missing.iter().any(|m| m == "Tech Lead") && missing.len() == ROLES.len() - 1, "{missing:?}");

    for role in &ROLES[1..] {
        d.act(role).checkpoint_sign(Some(&run), "1.5", None).unwrap();
    }
    let s = d.status();
    assert!(matches!(&s.next_action, Some(NextAction::Decide { checkpoint, .. }) if checkpoint == "1.5"));
    d.act("Tech Lead").checkpoint_decide(Some(&run), "1.5", Decision::Go, None).unwrap();
    let s = d.status();
    assert!(
        matches!(&s.next_action, Some(NextAction::Start { task, now: true, owner, .. }) if task == "2.1" && owner == "DBA"),
        "{:?}",
        s.next_action
    );
}

#[test]
fn before_the_first_task_the_next_action_says_when_it_starts() {
    let d = Day::new();
    let s = d.at(5, 50).status();
    match &s.next_action {
        Some(NextAction::Start { task, now, at, .. }) => {
            assert_eq!((task.as_str(), *now), ("1.1", false));
            assert_eq!(at.hm(), "06:00");
        }
        other => panic!("{other:?}"),
    }
    assert!(s.overdue.is_empty());
}
