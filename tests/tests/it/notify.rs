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
