//! A go-live day driven through the `warroom` binary, with back-filled times on yesterday's
//! date so that every instant is fixed and in the past.

use serde_json::Value;
use warroom_tests::{Scratch, yesterday};

fn ok(s: &Scratch, args: &[&str]) -> String {
    s.ok(args)
}

#[test]
fn a_day_through_the_cli() {
    let s = Scratch::new();
    let day = yesterday();
    ok(&s, &["import", "--demo"]);
    ok(&s, &["me", "set", "Lan", "--role", "Tech Lead"]);
    let out = ok(&s, &["run", "start", "--live", "--date", &day, "--tz", "UTC"]);
    assert!(out.starts_with("started live-") && out.contains(&format!("({day} in UTC)")), "{out}");
    ok(&s, &["task", "1.1", "start", "--at", "06:00"]);
    ok(&s, &["task", "1.1", "done", "--at", "06:12"]);
    let r = s.warroom(&["task", "1.5", "skip", "--note", "no time"]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("cannot be skipped"), "{r:?}");
    let r = s.warroom(&["checkpoint", "1.5", "go"]);
    assert!(r.stderr.contains("missing sign-off from Tech Lead, DBA, DevOps, QA Lead, Business Owner"), "{r:?}");
    assert!(r.stderr.contains("hint: each missing role signs: `warroom checkpoint 1.5 sign`"), "{r:?}");
    for role in ["Tech Lead", "DBA", "DevOps", "QA Lead", "Business Owner"] {
        ok(&s, &["checkpoint", "1.5", "sign", "--by", "someone", "--role", role]);
    }
    assert!(ok(&s, &["checkpoint", "1.5", "go"]).contains("1.5 GO"));
    let inc = ok(&s, &["incident", "open", "Login slow", "--severity", "P2", "--eta", "15"]);
    assert!(inc.starts_with("opened inc-"), "{inc}");
    assert!(ok(&s, &["metric", "record", "Response p95", "650", "--unit", "ms"]).contains("(alert)"));
    ok(&s, &["checklist", "k2", "check"]);
    ok(&s, &["edit", "set", "task", "2.3", "owner=QA Lead"]);
    let r = s.warroom(&["edit", "set", "task", "2.3", "time=25:99"]);
    assert!(r.stderr.contains("would not leave a valid runbook"), "{r:?}");

    let now = format!("{day}T07:40");
    let st: Value = serde_json::from_str(&ok(&s, &["status", "--json", "--now", &now])).unwrap();
    assert_eq!(st["schema"], "warroom.status/1");
    assert_eq!(st["now"], format!("{day}T07:40:00+00:00"));
    assert_eq!((st["run"]["kind"].as_str(), st["run"]["tz"].as_str()), (Some("live"), Some("UTC")));
    let t11 = &st["tasks"][0];
    assert_eq!(t11["actual_finish"], format!("{day}T06:12:00+00:00"));
    assert_eq!(t11["variance_minutes"], 2);
    assert_eq!(t11["backfilled"], true);
    assert_eq!(st["checkpoints"][0]["decision"], "go");
    assert_eq!(st["rollback"]["deadline"], format!("{day}T11:00:00+00:00"));
    for key in ["state", "backout_now", "backout_worst", "slack_minutes"] {
        assert!(st["rollback"].get(key).is_some(), "{key}");
    }
    assert_eq!(st["metrics"][1]["state"], "alert");
    assert_eq!(st["incidents"][0]["recommendation"], "disable_feature");
    let text = ok(&s, &["status", "--now", &now]);
    assert!(text.contains("ROLLBACK") && text.contains("Overdue:"), "{text}");
    // A late task that is also due or next is listed once, under Overdue.
    let listed = |id: &str| text.lines().filter(|l| l.starts_with(&format!("  {id} "))).count();
    for key in ["overdue", "due", "next"] {
        for id in st[key].as_array().unwrap().iter().filter_map(Value::as_str) {
            assert_eq!(listed(id), 1, "{id} listed once: {text}");
        }
    }
    let log = ok(&s, &["log"]);
    for kind in [
        "run.start",
        "task.done",
        "checkpoint.sign",
        "checkpoint.decide",
        "incident.open",
        "metric.record",
        "runbook.edit",
    ] {
        assert!(log.contains(kind), "{kind} missing from\n{log}");
    }
    let md = ok(&s, &["export", "--format", "markdown"]);
    assert!(
        md.contains("| 1.1 | 06:00 | Team standup call - xác nhận ready | Tech Lead | ☑ | 06:00 | 06:12 |"),
        "{md}"
    );
    let csv = ok(&s, &["export", "--format", "csv"]);
    assert!(csv.contains("1.5,Phase 1: Chuẩn bị,06:30,0,Confirm proceed,All,true,done"), "{csv}");
    assert!(ok(&s, &["run", "finish"]).contains("completed"));
    let r = s.warroom(&["task", "2.1", "start"]);
    assert!(r.stderr.contains("nothing more can be recorded"), "{r:?}");
}
