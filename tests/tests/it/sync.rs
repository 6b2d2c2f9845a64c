//! Two laptops' databases exchange what they did through `warroom sync file`, both ways, and
//! end with the same picture; a copied database is refused rather than merged.

use warroom_tests::{Scratch, fixtures};

#[test]
fn two_databases_exchange_events_both_ways_and_agree() {
    let s = Scratch::new();
    let a = s.db();
    let b = s.path("b.db");
    let seed = fixtures().join("go-live-runbook.utf8.md");
    s.ok(&["import", seed.to_str().unwrap()]);
    s.ok(&["me", "set", "Lan", "--role", "Tech Lead"]);
    s.ok(&["run", "start", "--live", "--date", "2026-01-31", "--tz", "Asia/Ho_Chi_Minh"]);
    s.ok(&["task", "1.1", "done", "--at", "06:08"]);

    let on_b = |args: &[&str]| {
        let r = s.warroom_db(&b, args);
        assert!(r.ok(), "warroom --db b.db {args:?}: {r:?}");
        r.stdout
    };
    let took = on_b(&["sync", "file", a.to_str().unwrap()]);
    assert!(took.starts_with("took 3 events from"), "{took}");
    on_b(&["me", "set", "Huy", "--role", "DBA"]);
    on_b(&["task", "1.2", "done", "--at", "06:14", "--by", "Huy", "--role", "DBA"]);

    let back = s.ok(&["sync", "file", b.to_str().unwrap()]);
    assert!(back.starts_with("took 1 event from") && back.trim_end().ends_with("gave it 0 events"), "{back}");
    let status_a = s.ok(&["status", "--json", "--now", "2026-01-31T06:20"]);
    let status_b = on_b(&["status", "--json", "--now", "2026-01-31T06:20"]);
    assert_eq!(status_a, status_b, "both laptops see the same run");
    assert!(status_a.contains("\"finished_by\": {\n        \"name\": \"Huy\""), "{status_a}");

    let again = s.ok(&["sync", "file", b.to_str().unwrap()]);
    assert!(again.starts_with("took 0 events") && again.trim_end().ends_with("gave it 0 events"), "{again}");
    let vv: serde_json::Value = serde_json::from_str(&s.ok(&["sync", "status", "--json"])).unwrap();
    assert_eq!(vv["have"].as_object().unwrap().len(), 2, "events from two laptops: {vv}");

    // A database copied by hand shares the laptop id: exchanging with it would be meaningless.
    let copy = s.path("copy.db");
    std::fs::copy(&a, &copy).unwrap();
    let refused = s.warroom(&["sync", "file", copy.to_str().unwrap()]);
    assert!(!refused.ok() && refused.stderr.contains("is a copy of this database"), "{refused:?}");
}

/// The first line of `warroom peers`: this laptop's certificate fingerprint.
fn fingerprint(s: &Scratch, db: &std::path::Path) -> String {
    let r = s.warroom_db(db, &["peers"]);
    assert!(r.ok(), "{r:?}");
    r.stdout.lines().next().and_then(|l| l.strip_prefix("this laptop  ")).unwrap().trim().to_owned()
}

#[test]
fn member_laptops_sync_over_mutual_tls_and_nobody_else_gets_in() {
    let s = Scratch::new();
    let (b, c) = (s.path("b.db"), s.path("c.db"));
    let seed = fixtures().join("go-live-runbook.utf8.md");
    s.ok(&["import", seed.to_str().unwrap()]);
    s.ok(&["me", "set", "Lan", "--role", "Tech Lead"]);
    s.ok(&["run", "start", "--live", "--date", "2026-01-31", "--tz", "Asia/Ho_Chi_Minh"]);
    s.ok(&["task", "1.1", "done", "--at", "06:08"]);
    let fp_a = fingerprint(&s, &s.db());
    let fp_b = fingerprint(&s, &b);
    let fp_c = fingerprint(&s, &c);
    assert_eq!(fp_a, fingerprint(&s, &s.db()), "a laptop keeps its certificate");
    assert_ne!(fp_a, fp_b);
    s.ok(&["peers", "trust", &fp_b, "--name", "Huy's laptop"]);

    let port = warroom_tests::free_port();
    let _a = warroom_tests::Server::start(&s, &["--peer-bind", &format!("127.0.0.1:{port}")]);
    let url = format!("https://127.0.0.1:{port}");
    let on = |db: &std::path::Path, args: &[&str]| s.warroom_db(db, args);

    let took = on(&b, &["sync", "with", &url, "--fingerprint", &fp_a]);
    assert!(took.ok() && took.stdout.starts_with("took 4 events from"), "{took:?}");
    on(&b, &["task", "1.2", "done", "--at", "06:14", "--by", "Huy", "--role", "DBA"]);
    let gave = on(&b, &["sync", "with", &url, "--fingerprint", &fp_a]);
    assert!(gave.ok() && gave.stdout.trim_end().ends_with("gave it 1 event"), "{gave:?}");
    let now = ["status", "--json", "--now", "2026-01-31T06:20"];
    assert_eq!(s.ok(&now), on(&b, &now).stdout, "both laptops see the same run");
    let members = s.ok(&["peers"]);
    assert!(members.contains(&fp_b) && members.contains("Huy's laptop"), "{members}");

    // Not a member: refused, and nothing it sends or asks for changes anything.
    let count = s.ok(&["sync", "status", "--json"]);
    let stranger = on(&c, &["sync", "with", &url, "--fingerprint", &fp_a]);
    assert!(!stranger.ok() && stranger.stderr.contains("not a member of the room"), "{stranger:?}");
    assert!(stranger.stderr.contains("403"), "{stranger:?}");
    assert_eq!(s.ok(&["sync", "status", "--json"]), count);
    assert!(on(&c, &["sync", "status", "--json"]).stdout.contains("\"have\": {}"), "the stranger got nothing");

    // A pinned fingerprint that is not the server's: the client will not talk to it.
    let wrong = on(&b, &["sync", "with", &url, "--fingerprint", &fp_c]);
    assert!(!wrong.ok() && wrong.stderr.contains("not the pinned"), "{wrong:?}");

    // Revoked (by the CLI while the server runs): shut out from the next request.
    s.ok(&["peers", "revoke", &fp_b]);
    let revoked = on(&b, &["sync", "with", &url, "--fingerprint", &fp_a]);
    assert!(!revoked.ok() && revoked.stderr.contains("not a member of the room"), "{revoked:?}");
}
