//! A night across midnight and the change to daylight-saving time: America/Los_Angeles on
//! 8 March 2026, when 02:00 becomes 03:00. The night is recorded through `warroom serve` at
//! three moments of it (its clock moved there with `--now`); every moment the API gives, and
//! every time the Activity, Checkpoints and Incidents views show in headless Chromium, is in the
//! run's zone, with the date where it is not the run's first day.

use chrono::{DateTime, FixedOffset, Offset as _, TimeZone as _, Utc};
use serde_json::{Value, json};
use warroom_tests::web::{open_view, wait_text};
use warroom_tests::{Scratch, Server, fixtures};

/// The UTC offset Los Angeles has at `t` (PST until 2026-03-08T10:00Z, PDT from then).
fn la_offset(t: DateTime<Utc>) -> i32 {
    chrono_tz::America::Los_Angeles.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc()
}

/// A plain-HTTP client (reqwest still wants a TLS provider chosen).
pub(crate) fn http() -> reqwest::blocking::Client {
    // Another test of this binary may have installed it already.
    rustls::crypto::ring::default_provider().install_default().ok();
    reqwest::blocking::Client::new()
}

pub(crate) fn post(server: &Server, by: (&str, &str), action: Value) -> Value {
    let mut body = action;
    body["by"] = json!({ "name": by.0, "role": by.1 });
    let resp = http().post(format!("{}/api/act", server.url)).json(&body).send().unwrap();
    let status = resp.status();
    let text = resp.text().unwrap();
    assert!(status.is_success(), "{body} was refused: {status} {text}");
    serde_json::from_str(&text).unwrap()
}

pub(crate) fn get(server: &Server, path: &str) -> Value {
    http().get(format!("{}{path}", server.url)).send().unwrap().json().unwrap()
}

/// Every RFC 3339 instant anywhere in `v`, with where it was.
fn instants(v: &Value, at: &str, out: &mut Vec<(String, DateTime<FixedOffset>)>) {
    match v {
        Value::String(s) if s.len() >= 20 && s.as_bytes().get(10) == Some(&b'T') => {
            if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                out.push((at.to_owned(), t));
            }
        }
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| instants(x, &format!("{at}[{i}]"), out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| instants(x, &format!("{at}.{k}"), out)),
        _ => {}
    }
}

fn all_in_los_angeles(what: &str, v: &Value) -> usize {
    let mut found = Vec::new();
    instants(v, what, &mut found);
    for (at, t) in &found {
        assert_eq!(
            t.offset().local_minus_utc(),
            la_offset(t.to_utc()),
            "{at} = {t} is not in America/Los_Angeles at that moment"
        );
    }
    found.len()
}

#[test]
fn a_night_across_midnight_and_the_clock_change_reads_in_the_runs_zone() {
    let _turn = warroom_tests::one_window_at_a_time();
    let s = Scratch::new();
    let night = fixtures().join("night-across-dst.md");
    s.ok(&["import", &night.display().to_string()]);
    let lan = ("Lan", "Tech Lead");
    let huy = ("Huy", "DBA");
    let minh = ("Minh", "Network");

    // 23:10 PST on Saturday 7 March: the run starts, the bridge call, an incident.
    {
        let a = Server::start(&s, &["--now", "2026-03-07T23:10:00-08:00"]);
        let start = json!({"action": "run_start", "kind": "live", "date": "2026-03-07", "tz": "America/Los_Angeles"});
        post(&a, lan, start);
        post(&a, lan, json!({"action": "task", "task": "1.1", "verb": "start"}));
        let opened = json!({"action": "incident_open", "title": "Replica lag", "severity": "P2", "eta_minutes": 30});
        post(&a, huy, opened);
    }
    // 01:40 PST on Sunday: everyone signs checkpoint B; the incident is updated.
    let incident = {
        let b = Server::start(&s, &["--now", "2026-03-08T01:40:00-08:00"]);
        for who in [lan, huy, minh] {
            post(&b, who, json!({"action": "checkpoint_sign", "id": "2.3"}));
        }
        let st = get(&b, "/api/status");
        let id = st["incidents"][0]["id"].as_str().unwrap().to_owned();
        post(&b, huy, json!({"action": "incident_update", "id": id, "note": "lag back under 5 s"}));
        id
    };
    // 03:20 PDT: an hour and forty minutes later by the clock on the wall, one hour forty by
    // the clock that jumped: GO, and the incident resolved.
    let c = Server::start(&s, &["--now", "2026-03-08T03:20:00-07:00"]);
    post(&c, lan, json!({"action": "checkpoint_decide", "id": "2.3", "decision": "go"}));
    post(&c, huy, json!({"action": "incident_resolve", "id": incident, "note": "fixed forward"}));

    let st = get(&c, "/api/status");
    let activity = get(&c, "/api/activity");
    assert!(all_in_los_angeles("status", &st) > 40, "the status was read");
    assert!(all_in_los_angeles("activity", &activity) >= 9, "the activity was read");
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    assert!(text(&st["now"]).starts_with("2026-03-08T03:2"), "{}", st["now"]);
    let cp = st["checkpoints"].as_array().unwrap().iter().find(|c| c["id"] == "2.3").unwrap();
    for s in cp["signed"].as_array().unwrap() {
        assert!(text(&s["by"]["at"]).starts_with("2026-03-08T01:40"), "{s}");
    }
    assert!(text(&cp["decided_by"]["at"]).starts_with("2026-03-08T03:20"), "{cp}");
    let inc = &st["incidents"][0];
    assert!(text(&inc["opened_by"]["at"]).starts_with("2026-03-07T23:10"), "{inc}");
    assert!(text(&inc["updates"][0]["by"]["at"]).starts_with("2026-03-08T01:40"), "{inc}");
    assert!(text(&inc["resolved_by"]["at"]).starts_with("2026-03-08T03:20"), "{inc}");
    let times: Vec<String> = activity.as_array().unwrap().iter().map(|a| text(&a["at"])).collect();
    assert!(times.iter().any(|t| t.starts_with("2026-03-07T23:10")), "{times:?}");
    assert!(times.iter().any(|t| t.starts_with("2026-03-08T03:20")), "{times:?}");

    // What a person reads: local times, the date after midnight, never UTC.
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
        let b = crate::browser::chromium().await;
        let w = &b.client;
        w.goto(&format!("{}/", c.url)).await.unwrap();
        open_view(w, "activity").await;
        let seen = wait_text(w, "main", "the activity", |t| t.contains("Replica lag") && t.contains("03:20")).await;
        for shown in ["23:10:", "01:40:", "(08/03)"] {
            assert!(seen.contains(shown), "Activity shows {shown}: {seen}");
        }
        assert!(!seen.contains("(07/03)"), "the run's first day goes without a date: {seen}");
        // 23:10 PST is 07:10 UTC, 01:40 PST 09:40 UTC, 03:20 PDT 10:20 UTC.
        for utc in ["07:10", "09:40", "10:20"] {
            assert!(!seen.contains(utc), "Activity shows a UTC time {utc}: {seen}");
        }
        open_view(w, "checkpoints").await;
        let cps = wait_text(w, "#checkpoint-2\\.3", "checkpoint B", |t| t.contains("Network")).await;
        assert!(cps.contains("01:40 +1d") && cps.contains("03:20 +1d"), "{cps}");
        open_view(w, "incidents").await;
        let incs = wait_text(w, "main", "the incident", |t| t.contains("Replica lag")).await;
        assert!(incs.contains("23:10") && incs.contains("01:40 +1d"), "{incs}");
        for utc in ["07:10", "09:40", "10:20"] {
            assert!(!incs.contains(utc), "Incidents shows a UTC time {utc}: {incs}");
        }
        // The server goes away: the screen says its news stopped, instead of going quietly stale.
        assert!(w.find(fantoccini::Locator::Css("#live-lost")).await.is_err(), "live while the server runs");
        drop(c);
        wait_text(w, "#live-lost", "the lost-updates banner", |t| t.contains("reconnecting")).await;
    });
}
