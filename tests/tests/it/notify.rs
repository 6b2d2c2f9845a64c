//! Notifications reach the desktop: a private D-Bus session bus with a small
//! org.freedesktop.Notifications server on it, `warroom watch` over a run whose first task
//! (mine) is due in three seconds, and the Notify call it makes, with its title and body.
//! Also `warroom notify plan --json` as a person previews their day.

use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use warroom_tests::dbus::{NotificationServer, PrivateBus};
use warroom_tests::{Child, Scratch, binary, fixtures};

fn day(s: &Scratch, name: &str, role: &str) {
    let seed = fixtures().join("go-live-runbook.utf8.md");
    s.ok(&["import", seed.to_str().unwrap()]);
    s.ok(&["me", "set", name, "--role", role]);
    s.ok(&["run", "start", "--live", "--date", "2026-01-31", "--tz", "Asia/Ho_Chi_Minh"]);
}

#[test]
fn watch_tells_the_desktop_when_my_task_is_due() {
    let s = Scratch::new();
    day(&s, "Lan", "Tech Lead");
    let bus = PrivateBus::start(&s);
    let address = bus.address.clone();
    let server = NotificationServer::start(&bus);
    let rx = &server.calls;

    // 1.1 (Tech Lead) is planned for 6:00: told at 5:55, three seconds after the watch starts.
    let started = Instant::now();
    let mut watch = std::process::Command::new(binary("warroom"))
        .args(["watch", "--now", "2026-01-31T05:54:57+07:00"])
        .env("WARROOM_DB", s.db())
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let watch = Child(watch);
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            lines_tx.send(line).ok();
        }
    });

    let call = rx.recv_timeout(Duration::from_secs(20)).expect("a Notify call on the session bus");
    assert_eq!(call.app, "warroom");
    assert_eq!(call.title, "Task 1.1 starts in 5 min");
    assert_eq!(call.body, "Team standup call - xác nhận ready · Tech Lead · forecast 06:00");
    assert!(call.actions.is_empty(), "the headless watcher has nothing to open: {:?}", call.actions);
    assert!(!call.hints.iter().any(|h| h == "urgency"), "a task due soon is not critical: {:?}", call.hints);
    let late = call.at.saturating_duration_since(started + Duration::from_secs(3));
    eprintln!("watch: notification {} ms after its minute", late.as_millis());
    assert!(late < Duration::from_secs(1), "within a second of its minute: {late:?}");

    let printed: Vec<String> = lines.try_iter().collect();
    assert!(printed[0].starts_with("watching ") && printed[0].contains("Lan (Tech Lead)"), "{printed:?}");
    assert!(printed.iter().any(|l| l.starts_with("05:55  task_due") && l.contains("Task 1.1")), "{printed:?}");

    // Between notifications the watcher sleeps: a few seconds of it cost next to no CPU.
    let cpu = || {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", watch.0.id())).unwrap();
        let fields: Vec<&str> = stat.rsplit(')').next().unwrap().split_whitespace().collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    };
    let before = cpu();
    std::thread::sleep(Duration::from_secs(3));
    let ticks = cpu() - before;
    eprintln!("watch: {ticks} CPU ticks (1/100 s) in 3 s idle");
    assert!(ticks <= 3, "idle watcher used {ticks} ticks in 3 s");

    // Once per laptop: a second watcher on the same database shows nothing again.
    drop(watch);
    let again = std::process::Command::new(binary("warroom"))
        .args(["watch", "--now", "2026-01-31T05:55:05+07:00"])
        .env("WARROOM_DB", s.db())
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let again = Child(again);
    assert!(rx.recv_timeout(Duration::from_secs(3)).is_err(), "task 1.1 was already shown on this laptop");
    drop(again);
}

#[test]
fn notify_plan_previews_a_persons_day_as_json() {
    let s = Scratch::new();
    day(&s, "Huy", "DBA");
    let json = s.ok(&["notify", "plan", "--from", "2026-01-31T06:00", "--to", "2026-01-31T07:00", "--json"]);
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let list = plan.as_array().unwrap();
    let kinds: Vec<(&str, &str)> =
        list.iter().map(|n| (n["at"].as_str().unwrap(), n["kind"].as_str().unwrap())).collect();
    assert_eq!(
        kinds,
        [
            ("2026-01-31T06:10:00+07:00", "task_due"),
            ("2026-01-31T06:15:00+07:00", "task_due"),
            ("2026-01-31T06:20:00+07:00", "checkpoint_due"),
            ("2026-01-31T06:25:00+07:00", "task_due"),
            ("2026-01-31T06:25:00+07:00", "task_overdue"),
            ("2026-01-31T06:35:00+07:00", "task_overdue"),
        ]
    );
    assert_eq!(list[0]["task_id"], "1.3");
    assert_eq!(list[0]["title"], "Task 1.3 starts in 5 min");

    // Another role's day, in Vietnamese.
    s.ok(&["notify", "settings", "--lang", "vi"]);
    let text =
        s.ok(&["notify", "plan", "--role", "Tech Lead", "--from", "2026-01-31T05:50", "--to", "2026-01-31T06:10"]);
    assert!(text.starts_with("05:55  task_due           Việc 1.1 bắt đầu sau 5 phút"), "{text}");

    let bad = s.warroom(&["notify", "plan", "--from", "tomorrow"]);
    assert!(!bad.ok() && bad.stderr.contains("--from"), "{bad:?}");
}

/// The night of tests/fixtures/night-rollback.md (23:30–03:00, rollback deadline 02:15), run
/// in a zone where it is now between 01:00 and 02:00, so that what is recorded at this moment
/// lands before the deadline: freezing writes back-filled 20 minutes late, the rollback
/// approved by the Tech Lead and the DBA and decided now. Then each role's plan for the night.
#[test]
fn notify_plan_after_a_rollback_decision_tells_every_role_and_drops_the_go_live() {
    use chrono::{Duration as Minutes, Timelike, Utc};
    let now = Utc::now();
    // Whole-hour zones cover every hour of the day: pick the one where it is 01:xx now.
    let mut offset = (1 - i64::from(now.hour())).rem_euclid(24);
    if offset > 14 {
        offset -= 24;
    }
    let tz = match offset {
        0 => "Etc/GMT".to_owned(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    };
    let night_of = (now + Minutes::hours(offset) - Minutes::days(1)).date_naive().to_string();
    let morning = (now + Minutes::hours(offset)).date_naive().to_string();

    let s = Scratch::new();
    s.ok(&["import", fixtures().join("night-rollback.md").to_str().unwrap()]);
    s.ok(&["me", "set", "Lan", "--role", "Tech Lead"]);
    s.ok(&["run", "start", "--live", "--date", &night_of, "--tz", &tz]);
    let dba = ["--by", "Huy", "--role", "DBA"];
    s.ok(&["task", "1.1", "start", "--at", "23:30"]);
    s.ok(&["task", "1.1", "done", "--at", "23:45"]);
    s.ok(&[&["task", "1.2", "start", "--at", "23:45"][..], &dba].concat());
    s.ok(&[&["task", "1.2", "done", "--at", "00:50"][..], &dba].concat());
    s.ok(&[&["incident", "open", "Data corruption in orders", "--severity", "P1"][..], &dba].concat());
    s.ok(&["rollback", "approve"]);
    s.ok(&[&["rollback", "approve"][..], &dba].concat());
    s.ok(&["rollback", "decide", "--rollback", "--reason", "orders corrupted in the copy"]);

    let st: serde_json::Value = serde_json::from_str(&s.ok(&["status", "--json"])).unwrap();
    let instant = |v: &serde_json::Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let decided = instant(&st["rollback"]["decided_by"]["at"]);
    assert_eq!(st["rollback"]["reason"], "orders corrupted in the copy");
    assert_eq!(st["incidents"][0]["matrix"]["row"]["issue"], "Data corruption", "{}", st["incidents"][0]);

    let (from, to) = (format!("{night_of}T23:00"), format!("{morning}T04:00"));
    for role in ["Tech Lead", "DBA", "Network"] {
        let json = s.ok(&["notify", "plan", "--role", role, "--from", &from, "--to", &to, "--json"]);
        let plan: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
        let after: Vec<&serde_json::Value> = plan.iter().filter(|n| instant(&n["at"]) >= decided).collect();
        let kinds: Vec<&str> = after.iter().map(|n| n["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["rollback_decided", "rollback_step", "rollback_step", "rollback_step"], "{role}: {json}");
        assert_eq!(instant(&after[0]["at"]), decided, "{role}");
        assert_eq!(after[0]["title"], "Rollback decided by Lan (Tech Lead): orders corrupted in the copy", "{role}");
        let steps: Vec<i64> = after[1..].iter().map(|n| (instant(&n["at"]) - decided).num_minutes()).collect();
        assert_eq!(steps, [0, 10, 25], "{role}: the steps of 10, 15 and 20 minutes, from the decision on");
        assert_eq!(after[3]["title"], "Rollback step 3 of 3: Restore the orders database");
    }
    // What came before the decision stays in the plan: checkpoint 1 (00:50, after the late freeze).
    let json = s.ok(&["notify", "plan", "--role", "Tech Lead", "--from", &from, "--to", &to, "--json"]);
    let plan: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(plan.iter().any(|n| n["kind"] == "checkpoint_due" && n["task_id"] == "1.3"), "{json}");
}

#[test]
fn serve_starts_without_a_notification_service_and_says_what_is_missing() {
    let s = Scratch::new();
    let nowhere = format!("unix:path={}", s.path("no-bus").display());
    let (_serve, url) = warroom_tests::serve_db_env(&s.db(), &[("DBUS_SESSION_BUS_ADDRESS", &nowhere)], &[]);
    let about: serde_json::Value = reqwest::blocking::get(format!("{url}/api/about")).unwrap().json().unwrap();
    assert_eq!(about["missing"], serde_json::json!(["desktop_notifications"]), "{about}");
    assert_eq!(about["version"], env!("CARGO_PKG_VERSION"), "{about}");
    assert_eq!(about["db_path"], s.db().display().to_string(), "{about}");
    // It serves all the same: an empty database, waiting on the Welcome.
    let session: serde_json::Value = reqwest::blocking::get(format!("{url}/api/session")).unwrap().json().unwrap();
    assert_eq!(session["has_runbook"], false, "{session}");

    // With a notification service on the bus, nothing is missing.
    let bus = PrivateBus::start(&s);
    let _desktop = NotificationServer::start(&bus);
    let other = s.path("other.db");
    let (_serve, url) = warroom_tests::serve_db_env(&other, &[("DBUS_SESSION_BUS_ADDRESS", &bus.address)], &[]);
    let about: serde_json::Value = reqwest::blocking::get(format!("{url}/api/about")).unwrap().json().unwrap();
    assert_eq!(about["missing"], serde_json::json!([]), "{about}");
}
