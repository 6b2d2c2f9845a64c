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
