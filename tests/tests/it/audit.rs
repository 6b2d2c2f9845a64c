//! The record's integrity through the `warroom` binary: `verify` passes on a record as made,
//! and names the event when a comment is edited directly in SQLite afterwards.

use serde_json::Value;
use warroom_tests::Scratch;

fn ok(s: &Scratch, args: &[&str]) -> String {
    s.ok(args)
}

#[test]
fn a_comment_edited_in_sqlite_afterwards_fails_verify_and_names_the_event() {
    let s = Scratch::new();
    ok(&s, &["import", "--demo"]);
    ok(&s, &["me", "set", "Lan", "--role", "Tech Lead"]);
    ok(&s, &["run", "start", "--rehearsal", "--date", "2026-01-31", "--tz", "Asia/Ho_Chi_Minh"]);
    ok(&s, &["task", "1.1", "start"]);
    ok(&s, &["task", "1.1", "comment", "--note", "Bridge call opened, 9 of 9 online"]);
    ok(&s, &["task", "1.1", "done"]);

    let out = ok(&s, &["verify"]);
    assert!(out.contains("intact"), "{out}");
    let digest = out.lines().next().unwrap().trim_start_matches("log digest").trim().to_owned();
    assert_eq!(digest.len(), 64, "{out}");
    assert_eq!(
        ok(&s, &["verify"]).lines().next().unwrap(),
        out.lines().next().unwrap(),
        "the same log, the same digest"
    );

    let log: Value = serde_json::from_str(&ok(&s, &["log", "--json"])).unwrap();
    let comment = log.as_array().unwrap().iter().find(|e| e["kind"] == "task.comment").expect("a comment event");
    let named = format!("{}#{}", &comment["origin"].as_str().unwrap()[..8], comment["seq"]);

    let db = rusqlite::Connection::open(s.db()).unwrap();
    let changed = db
        .execute("UPDATE members SET value = '{\"text\":\"all fine\"}' WHERE value LIKE '%9 of 9 online%'", [])
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);

    let r = s.warroom(&["verify"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("changed after the fact"), "{}", r.stderr);
    assert!(r.stderr.contains(&named) && r.stderr.contains("all fine"), "names {named}: {}", r.stderr);
}
