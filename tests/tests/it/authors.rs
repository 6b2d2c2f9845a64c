//! Named authors: nothing is recorded under a blank name or under nobody, through the CLI or the
//! HTTP API, and each refusal says how to name yourself.

use crate::zones::http;
use serde_json::{Value, json};
use std::process::Command;
use warroom_tests::{Run, Scratch, Server, binary, fixtures};

/// `warroom args…` on the scratch database with no person named anywhere (no `me set`, no
/// `WARROOM_ME`) but a login name that used to be taken for one.
fn nobody(s: &Scratch, args: &[&str]) -> Run {
    Command::new(binary("warroom"))
        .current_dir(s.dir.path())
        .env("WARROOM_DB", s.db())
        .env("USER", "tester")
        .env_remove("WARROOM_ME")
        .args(args)
        .output()
        .unwrap()
        .into()
}

fn events(s: &Scratch) -> usize {
    let log: Value = serde_json::from_str(&s.ok(&["log", "--json"])).unwrap();
    log.as_array().unwrap().len()
}

#[test]
fn the_cli_records_nothing_without_a_name() {
    let s = Scratch::new();
    let seed = fixtures().join("go-live-runbook.utf8.md").display().to_string();
    let r = nobody(&s, &["import", &seed]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("who are you") && r.stderr.contains("warroom me set NAME"), "{r:?}");
    for blank in ["", "  "] {
        let r = s.warroom(&["import", &seed, "--by", blank]);
        assert_eq!(r.code, Some(1), "{blank:?}: {r:?}");
        assert!(r.stderr.contains("a name is needed") && r.stderr.contains("--by NAME"), "{r:?}");
        let r = s.warroom(&["me", "set", blank, "--role", "Tech Lead"]);
        assert_eq!(r.code, Some(1), "{blank:?}: {r:?}");
        assert!(r.stderr.contains("a name is needed"), "{r:?}");
    }
    let r = s.warroom(&["show"]);
    assert!(r.stderr.contains("no runbook"), "nothing was imported: {r:?}");
    assert!(nobody(&s, &["me"]).stdout.contains("nobody is set"), "the login name is not taken for a person");

    s.ok(&["import", &seed, "--by", "Lan"]);
    s.ok(&["run", "start", "--live", "--date", "2026-01-31", "--tz", "UTC", "--by", "Lan"]);
    let before = events(&s);
    let r = nobody(&s, &["task", "1.1", "start"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("hint: `warroom me set NAME --role ROLE`"), "{r:?}");
    let r = s.warroom(&["task", "1.1", "start", "--by", " "]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(events(&s), before, "nothing was recorded");
    s.ok(&["task", "1.1", "start", "--by", "  Lan  "]);
    let log: Value = serde_json::from_str(&s.ok(&["log", "--json"])).unwrap();
    assert_eq!(log.as_array().unwrap().last().unwrap()["author"]["name"], "Lan");
}

#[test]
fn the_api_refuses_a_blank_name_and_nobody() {
    let s = Scratch::new();
    let server = Server::start(&s, &[]);
    let c = http();
    let refusal = |resp: reqwest::blocking::Response| {
        assert!(resp.status().is_client_error(), "{resp:?}");
        let v: Value = resp.json().unwrap();
        v["refusal"]["rule"].clone()
    };
    for blank in ["", "   "] {
        let resp = c.put(format!("{}/api/me", server.url)).json(&json!({"name": blank, "role": "DBA"})).send().unwrap();
        assert_eq!(refusal(resp), json!("name_needed"), "{blank:?}");
    }
    let text = std::fs::read_to_string(fixtures().join("go-live-runbook.utf8.md")).unwrap();
    let import = json!({"name": "go-live.md", "text": text, "replace": true});
    let resp = c.post(format!("{}/api/import", server.url)).json(&import).send().unwrap();
    assert_eq!(refusal(resp), json!("who_are_you"));
    let start = json!({"action": "run_start", "kind": "live", "date": "2026-01-31", "tz": "UTC"});
    let resp = c.post(format!("{}/api/act", server.url)).json(&start).send().unwrap();
    assert_eq!(refusal(resp), json!("who_are_you"));
    let mut blank = start.clone();
    blank["by"] = json!({"name": " ", "role": "DBA"});
    let resp = c.post(format!("{}/api/act", server.url)).json(&blank).send().unwrap();
    assert_eq!(refusal(resp), json!("name_needed"));
    let status: Value = c.get(format!("{}/api/status", server.url)).send().unwrap().json().unwrap();
    assert!(status.is_null(), "no run was started: {status}");

    let resp = c.put(format!("{}/api/me", server.url)).json(&json!({"name": "An", "role": "DBA"})).send().unwrap();
    assert!(resp.status().is_success());
    let resp = c.post(format!("{}/api/import", server.url)).json(&import).send().unwrap();
    assert_eq!(resp.json::<Value>().unwrap()["imported"], true);
}
