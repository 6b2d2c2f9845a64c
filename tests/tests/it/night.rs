//! A whole night, as an operations lead runs it and an auditor reads it afterwards: a made-up
//! runbook (tests/fixtures/night-rollback.md: window 23:30–03:00 across midnight, rollback
//! deadline 02:15, America/Los_Angeles), a 50-minute overrun, a P1 incident, and then either a
//! rollback decided before the deadline by two approvers and entered ten minutes later with
//! `at`, every step done; or fix forward decided after the deadline. Most of the night is
//! recorded from the command line with `--at` (the night is in the past); the decision goes
//! through `warroom serve`, its clock set to the moment it was entered.

use serde_json::{Value, json};
use warroom_tests::{Child, Scratch, fixtures, serve_db};

const NIGHT: &str = "2026-04-18";
const TZ: &str = "America/Los_Angeles";

fn http() -> reqwest::blocking::Client {
    // Another test of this binary may have installed it already.
    rustls::crypto::ring::default_provider().install_default().ok();
    reqwest::blocking::Client::new()
}

/// `warroom serve` on the scratch database, its clock at `now` (the morning after the night).
fn serve_at(s: &Scratch, now: &str) -> (Child, String) {
    serve_db(&s.db(), &["--now", &format!("2026-04-19T{now}:00-07:00")])
}

/// Posts an action as `by`; the answer's status code and body.
fn act(url: &str, by: (&str, &str), mut action: Value) -> (u16, Value) {
    action["by"] = json!({ "name": by.0, "role": by.1 });
    let resp = http().post(format!("{url}/api/act")).json(&action).send().unwrap();
    let code = resp.status().as_u16();
    (code, resp.json().unwrap_or(Value::Null))
}

fn ok(url: &str, by: (&str, &str), action: Value) -> Value {
    let (code, body) = act(url, by, action.clone());
    assert!(code < 300, "{action} was refused: {code} {body}");
    body
}

fn status(s: &Scratch, now: &str) -> Value {
    serde_json::from_str(&s.ok(&["status", "--json", "--now", now])).unwrap()
}

/// An instant to the minute: `warroom serve`'s clock, set with `--now`, runs on in real time.
fn minute(v: &Value) -> Value {
    match v.as_str() {
        Some(t) if t.len() > 16 => json!(format!("{}{}", &t[..16], &t[t.len() - 6..])),
        _ => v.clone(),
    }
}

/// What a status says that matters at the key instants of the night, for a snapshot.
fn key_facts(st: &Value) -> Value {
    let r = &st["rollback"];
    json!({
        "now": st["now"],
        "mode": st["mode"],
        "state": st["run"]["state"],
        "due": st["due"],
        "overdue": st["overdue"],
        "forecast_end": st["forecast_end"],
        "variance_minutes": st["variance_minutes"],
        "gauge": r["state"],
        "decision": r["decision"],
        "reason": r["reason"],
        "decided": r["decided_by"].get("at").map(minute),
        "entered": r["decided_by"].get("entered_at").map(minute),
        "decided_before_deadline_minutes": r["decided_before_deadline_minutes"],
        "rollback_forecast_end": r["forecast_end"],
        "margin_minutes": r["margin_minutes"],
        "steps": r["steps"].as_array().unwrap().iter().map(|s| json!({
            "title": s["title"], "done": s["done"], "current": s["current"],
            "from": s["forecast_start"], "to": s["forecast_end"],
        })).collect::<Vec<_>>(),
    })
}

/// The night up to 02:05: the bridge, a late freeze, checkpoint 1, the copy 50 minutes late,
/// and a P1 incident; its id.
fn the_night_until_the_incident(s: &Scratch) -> String {
    s.ok(&["import", fixtures().join("night-rollback.md").to_str().unwrap()]);
    s.ok(&["me", "set", "Lan", "--role", "Tech Lead"]);
    s.ok(&["run", "start", "--live", "--date", NIGHT, "--tz", TZ]);
    let dba = ["--by", "Huy", "--role", "DBA"];
    let with = |args: &[&str], who: &[&str]| s.ok(&[args, who].concat());
    with(&["task", "1.1", "start", "--at", "23:30"], &[]);
    with(&["task", "1.1", "done", "--at", "23:45"], &[]);
    with(&["task", "1.2", "start", "--at", "23:45"], &dba);
    with(&["task", "1.2", "done", "--at", "00:50"], &dba);
    with(&["checkpoint", "1.3", "sign", "--at", "00:52"], &[]);
    with(&["checkpoint", "1.3", "sign", "--at", "00:53"], &dba);
    with(&["checkpoint", "1.3", "go", "--at", "00:55"], &[]);
    // The copy was planned at 00:30: it starts 50 minutes late.
    with(&["task", "2.1", "start", "--at", "01:20"], &dba);
    let said = with(&["incident", "open", "Data corruption in orders", "--severity", "P1", "--at", "01:50"], &dba);
    let st = status(s, "2026-04-19T02:05");
    assert!(said.contains("opened inc-"), "{said}");
    st["incidents"][0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_rollback_decided_before_the_deadline_and_entered_later_is_followed_to_the_end() {
    let s = Scratch::new();
    let incident = the_night_until_the_incident(&s);
    let lan = ("Lan", "Tech Lead");
    let huy = ("Huy", "DBA");

    let before = status(&s, "2026-04-19T02:05");
    assert_eq!(before["mode"], "go_live");
    let copy = before["tasks"].as_array().unwrap().iter().find(|t| t["id"] == "2.1").unwrap();
    assert_eq!(copy["variance_minutes"], 50, "the copy's overrun shows: {copy}");
    assert!(before["variance_minutes"].as_i64().unwrap() > 0, "and moves the end: {}", before["variance_minutes"]);
    assert_eq!(before["incidents"][0]["matrix"]["row"]["issue"], "Data corruption", "{}", before["incidents"][0]);
    insta::assert_json_snapshot!("night_0205_before_the_decision", key_facts(&before));

    // 02:20: the bridge decided at 02:10, after two approvals; it is typed in now.
    {
        let (_server, url) = serve_at(&s, "02:20");
        let decide = json!({"action": "rollback_decide", "rollback": true,
            "reason": "orders corrupted in the copy", "incident": incident});
        let (code, refused) = act(&url, lan, decide.clone());
        assert_eq!(code, 422, "at 02:20 a rollback is past the 02:15 deadline: {refused}");
        assert!(refused["message"].as_str().unwrap_or_default().contains("02:15"), "{refused}");
        ok(&url, lan, json!({"action": "rollback_approve", "at": "02:08"}));
        ok(&url, huy, json!({"action": "rollback_approve", "at": "02:09"}));
        let mut at_0210 = decide;
        at_0210["at"] = json!("02:10");
        ok(&url, lan, at_0210);
        // A time still to come, or before the night, is not a back-filled time.
        let (code, body) = act(&url, huy, json!({"action": "rollback_step", "id": "r1", "at": "02:30"}));
        assert_eq!(code, 422, "{body}");
        assert!(body["message"].as_str().unwrap_or_default().contains("later than now"), "{body}");
        let (code, body) = act(&url, huy, json!({"action": "rollback_step", "id": "r1", "at": "2026-04-17T22:00"}));
        assert_eq!(code, 422, "{body}");
        assert!(body["message"].as_str().unwrap_or_default().contains("outside the run"), "{body}");
    }

    let rolling = status(&s, "2026-04-19T02:20");
    assert_eq!(rolling["mode"], "rolling_back");
    assert_eq!(rolling["due"], json!([]), "the go-live's tasks no longer fall due");
    assert_eq!(rolling["overdue"], json!([]));
    assert_ne!(rolling["rollback"]["state"], "closed", "never 'fix forward only' while rolling back");
    let decided = &rolling["rollback"]["decided_by"];
    assert_eq!((&decided["name"], &decided["role"]), (&json!("Lan"), &json!("Tech Lead")));
    assert!(decided["at"].as_str().unwrap().starts_with("2026-04-19T02:10"), "{decided}");
    assert!(decided["entered_at"].as_str().unwrap().starts_with("2026-04-19T02:20"), "{decided}");
    assert_eq!(rolling["rollback"]["decided_before_deadline_minutes"], 5);
    assert_eq!(rolling["rollback"]["incident"], json!(incident));
    insta::assert_json_snapshot!("night_0220_rolling_back", key_facts(&rolling));
    let text = s.ok(&["status", "--now", "2026-04-19T02:20"]);
    assert!(text.contains("ROLLING BACK · decided by Lan (Tech Lead)"), "{text}");
    assert!(text.contains("orders corrupted in the copy"), "{text}");
    assert!(!text.contains("decide by"), "no countdown to a decision already taken: {text}");

    // Every role is told, and nobody is reminded of the go-live any more.
    let (from, to) = ("2026-04-18T23:00", "2026-04-19T04:00");
    for role in ["Tech Lead", "DBA", "Network"] {
        let json = s.ok(&["notify", "plan", "--role", role, "--from", from, "--to", to, "--json"]);
        let plan: Vec<Value> = serde_json::from_str(&json).unwrap();
        let after: Vec<&str> = plan
            .iter()
            .filter(|n| n["at"].as_str().unwrap() >= "2026-04-19T02:10")
            .map(|n| n["kind"].as_str().unwrap())
            .collect();
        assert_eq!(after.first(), Some(&"rollback_decided"), "{role}: {json}");
        assert!(
            after[1..].iter().all(|k| *k == "rollback_step"),
            "{role}: only the rollback after the decision: {after:?}"
        );
    }

    // The steps, from the command line, each when it was done.
    let dba = ["--by", "Huy", "--role", "DBA"];
    let net = ["--by", "Minh", "--role", "Network"];
    s.ok(&[&["rollback", "step", "r1", "done", "--at", "02:22"][..], &dba].concat());
    let mid = status(&s, "2026-04-19T02:30");
    insta::assert_json_snapshot!("night_0230_one_step_done", key_facts(&mid));
    what_the_room_sees_while_rolling_back(&s);
    s.ok(&[&["rollback", "step", "r2", "done", "--at", "02:36"][..], &net].concat());
    s.ok(&[&["rollback", "step", "r3", "done", "--at", "02:58"][..], &dba].concat());

    let ended = status(&s, "2026-04-19T03:05");
    assert_eq!(ended["mode"], "ended");
    assert_eq!(ended["run"]["state"], "rolled_back");
    assert!(ended["run"]["ended_at"].as_str().unwrap().starts_with("2026-04-19T02:58"), "{}", ended["run"]);
    insta::assert_json_snapshot!("night_0305_rolled_back", key_facts(&ended));
    let text = s.ok(&["status", "--now", "2026-04-19T03:05"]);
    assert!(text.contains("The run is over: rolled back at 02:58 (19/04)"), "{text}");
    assert!(!text.contains("forecast end"), "no forecast for a run that is over: {text}");
    let finish = s.warroom(&["run", "finish"]);
    assert!(!finish.ok(), "{finish:?}");
    assert!(finish.stderr.contains("rolled back"), "says why: {}", finish.stderr);
}

#[test]
fn fix_forward_decided_after_the_deadline_says_what_is_being_fixed() {
    let s = Scratch::new();
    s.ok(&["import", fixtures().join("night-rollback.md").to_str().unwrap()]);
    s.ok(&["me", "set", "Lan", "--role", "Tech Lead"]);
    s.ok(&["run", "start", "--live", "--date", NIGHT, "--tz", TZ]);
    let dba = ["--by", "Huy", "--role", "DBA"];
    for (task, verb, at) in [("1.1", "start", "23:30"), ("1.1", "done", "23:45"), ("1.2", "start", "23:45")] {
        s.ok(&["task", task, verb, "--at", at]);
    }
    s.ok(&[&["task", "1.2", "done", "--at", "00:50"][..], &dba].concat());
    s.ok(&["checkpoint", "1.3", "sign", "--at", "00:52"]);
    s.ok(&[&["checkpoint", "1.3", "sign", "--at", "00:53"][..], &dba].concat());
    s.ok(&["checkpoint", "1.3", "go", "--at", "00:55"]);
    s.ok(&[&["task", "2.1", "start", "--at", "01:20"][..], &dba].concat());
    s.ok(
        &[&["incident", "open", "Replica lag on the new site", "--severity", "P2", "--at", "02:00"][..], &dba].concat()
    );

    {
        let (_server, url) = serve_at(&s, "02:40");
        ok(
            &url,
            ("Lan", "Tech Lead"),
            json!({"action": "rollback_decide", "rollback": false,
            "reason": "lag is falling; fix the replica forward"}),
        );
        let (code, body) = act(
            &url,
            ("Lan", "Tech Lead"),
            json!({"action": "rollback_decide", "rollback": true,
            "reason": "changed our mind"}),
        );
        assert_eq!(code, 422, "past the deadline only fix forward (or an override): {body}");
    }
    let st = status(&s, "2026-04-19T02:40");
    assert_eq!(st["mode"], "fixing_forward");
    assert_eq!(st["rollback"]["decision"], "fix_forward");
    assert_eq!(st["rollback"]["decided_before_deadline_minutes"], -25);
    insta::assert_json_snapshot!("night_0240_fixing_forward", key_facts(&st));
    let text = s.ok(&["status", "--now", "2026-04-19T02:40"]);
    assert!(text.contains("FIXING FORWARD · decided by Lan (Tech Lead)"), "{text}");
    assert!(text.contains("fixing: ") && text.contains("Replica lag on the new site"), "{text}");
    assert!(text.contains("next check: 2.3"), "{text}");
    for role in ["Tech Lead", "DBA", "Network"] {
        let json = s.ok(&[
            "notify",
            "plan",
            "--role",
            role,
            "--from",
            "2026-04-19T02:00",
            "--to",
            "2026-04-19T04:00",
            "--json",
        ]);
        assert!(json.contains("fix_forward_decided"), "{role}: {json}");
    }

    // The night goes on to its end.
    for (task, who, start, done) in [("2.1", &dba, "01:20", "02:45"), ("2.2", &dba, "02:45", "02:50")] {
        if task != "2.1" {
            s.ok(&[&["task", task, "start", "--at", start][..], &who[..]].concat());
        }
        s.ok(&[&["task", task, "done", "--at", done][..], &who[..]].concat());
    }
    s.ok(&["checkpoint", "2.3", "sign", "--at", "02:51"]);
    s.ok(&[&["checkpoint", "2.3", "sign", "--at", "02:51"][..], &dba].concat());
    s.ok(&["checkpoint", "2.3", "go", "--at", "02:52"]);
    for t in ["3.1", "3.2", "3.3"] {
        s.ok(&["task", t, "done", "--at", "02:58"]);
    }
    s.ok(&["run", "finish"]);
    let st = status(&s, "2026-04-19T03:05");
    assert_eq!((&st["mode"], &st["run"]["state"]), (&json!("ended"), &json!("completed")));

    // The auditor's record of it.
    let pdf = s.path("night.pdf");
    s.ok(&["report", "--format", "pdf", "-o", pdf.to_str().unwrap()]);
    let raw = warroom_tests::pdf_text(&pdf);
    let text = crate::audit::flat(&raw);
    for said in [
        "Window 23:30 – 03:00 (19/04)",
        "Implementation planned",
        "Every time is in America/Los_Angeles",
        "Decision FIX FORWARD",
        "Reason lag is falling; fix the replica forward",
        "Decided by Lan (Tech Lead) on laptop",
        "25 min after the 02:15 (19/04) deadline",
        "Replica lag on the new site",
        "CHECKPOINT 2: Migrated",
        "night-rollback.md by tester (no role set) on laptop",
        "Matrix recommends fix forward (row Replica lag (P2)",
    ] {
        assert!(text.contains(said), "the record says {said:?}:\n{raw}");
    }
    assert!(!text.contains("UTC"), "every time in the run's zone:\n{raw}");
    assert_eq!(crate::audit::info(&pdf, "Title"), "NIGHT CUTOVER — audit record");
}

/// Now and the wall lead with ROLLING BACK and the steps, not the go-live's tasks; a screenshot
/// of each for the docs.
fn what_the_room_sees_while_rolling_back(s: &Scratch) {
    use warroom_tests::web::{open_view, wait_text};
    let _turn = warroom_tests::one_window_at_a_time();
    let server = warroom_tests::Server::start(s, &["--now", "2026-04-19T02:30:00-07:00"]);
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
        let b = crate::browser::chromium().await;
        let w = &b.client;
        w.set_window_size(1366, 768).await.unwrap();
        w.goto(&format!("{}/", server.url)).await.unwrap();
        open_view(w, "now").await;
        let now = wait_text(w, "#mode-banner", "the rollback on Now", |t| t.contains("ROLLING BACK")).await;
        assert!(now.contains("Lan (Tech Lead)") && now.contains("orders corrupted in the copy"), "{now}");
        for step in ["Stop writes on the new site", "Point DNS back", "Restore the orders database"] {
            assert!(now.contains(step), "Now shows the step {step}: {now}");
        }
        let main = wait_text(w, "main", "Now", |t| t.contains("ROLLING BACK")).await;
        assert!(!main.contains("Due now"), "the go-live's due list is not offered while rolling back: {main}");
        let gauge = wait_text(w, "#rollback-progress", "the rollback's progress", |t| t.contains("1/3")).await;
        assert!(!gauge.contains("fix forward only"), "{gauge}");
        let png = w.screenshot().await.unwrap();
        std::fs::write(crate::browser::pictures().join("screenshot-rolling-back.png"), png).unwrap();
        crate::browser::press(w, "w").await;
        let wall = wait_text(w, "#wall", "the rollback on the wall", |t| t.contains("ROLLING BACK")).await;
        assert!(wall.contains("Point DNS back"), "{wall}");

        // In Vietnamese: the app's words change, the runbook's stay as written.
        crate::browser::press(w, "\u{e00c}").await; // Escape
        wait_text(w, "#nav-now", "back from the wall", |t| t == "Now").await;
        crate::browser::press(w, "l").await;
        let vi = wait_text(w, "#mode-banner", "the rollback in Vietnamese", |t| t.contains("ĐANG HOÀN TÁC")).await;
        assert!(vi.contains("bước đã xong") && vi.contains("Point DNS back"), "{vi}");
        let png = w.screenshot().await.unwrap();
        std::fs::write(crate::browser::pictures().join("screenshot-rolling-back-vi.png"), png).unwrap();
    });
}
