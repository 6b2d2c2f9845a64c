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

    // A database copied by hand becomes a laptop of its own when opened: what it writes then
    // is exchanged like anyone's, and it never reuses the original's laptop id or certificate.
    let copy = s.path("copy.db");
    std::fs::copy(&a, &copy).unwrap();
    assert_ne!(fingerprint(&s, &copy), fingerprint(&s, &a));
    let r = s.warroom_db(&copy, &["task", "1.3", "done", "--at", "06:19", "--by", "Minh", "--role", "DBA"]);
    assert!(r.ok(), "{r:?}");
    let merged = s.ok(&["sync", "file", copy.to_str().unwrap()]);
    assert!(merged.starts_with("took 1 event from"), "{merged}");
    let vv: serde_json::Value = serde_json::from_str(&s.ok(&["sync", "status", "--json"])).unwrap();
    assert_eq!(vv["have"].as_object().unwrap().len(), 3, "three laptops now: {vv}");
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

/// `warroom serve` on another database of the same scratch folder.
fn serve_db(s: &Scratch, db: &std::path::Path, args: &[&str]) -> warroom_tests::Child {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(warroom_tests::binary("warroom"))
        .env("WARROOM_DB", db)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.starts_with("warroom serving"), "{first}");
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let _ = s;
    warroom_tests::Child(child)
}

/// Waits until `warroom status` on `db` passes `ok`; how long it took.
fn until(s: &Scratch, db: &std::path::Path, what: &str, ok: impl Fn(&str) -> bool) -> std::time::Duration {
    let started = std::time::Instant::now();
    loop {
        let r = s.warroom_db(db, &["status", "--json", "--now", "2026-01-31T06:20"]);
        if r.ok() && ok(&r.stdout) {
            return started.elapsed();
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "{what}: never arrived");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn two_serving_laptops_keep_in_step_by_themselves() {
    let s = Scratch::new();
    let (a, b) = (s.db(), s.path("b.db"));
    let seed = fixtures().join("go-live-runbook.utf8.md");
    s.ok(&["import", seed.to_str().unwrap()]);
    s.ok(&["run", "start", "--live", "--date", "2026-01-31", "--tz", "Asia/Ho_Chi_Minh"]);
    let (fp_a, fp_b) = (fingerprint(&s, &a), fingerprint(&s, &b));
    s.ok(&["peers", "trust", &fp_b, "--name", "B"]);
    let (pa, pb) = (warroom_tests::free_port(), warroom_tests::free_port());
    let url_a = format!("https://127.0.0.1:{pa}");
    let url_b = format!("https://127.0.0.1:{pb}");
    let _serve_a = serve_db(&s, &a, &["--peer-bind", &format!("127.0.0.1:{pa}"), "--peer", &format!("{url_b}#{fp_b}")]);
    // B joins: takes the room from A once, trusts A, then serves and follows A.
    let joined = s.warroom_db(&b, &["sync", "with", &url_a, "--fingerprint", &fp_a]);
    assert!(joined.ok(), "{joined:?}");
    let trusted = s.warroom_db(&b, &["peers", "trust", &fp_a, "--name", "A"]);
    assert!(trusted.ok(), "{trusted:?}");
    let _serve_b = serve_db(&s, &b, &["--peer-bind", &format!("127.0.0.1:{pb}"), "--peer", &format!("{url_a}#{fp_a}")]);

    s.ok(&["task", "1.1", "done", "--at", "06:08", "--by", "Lan", "--role", "Tech Lead"]);
    let took = until(&s, &b, "A's change on B", |st| st.contains("\"finished_by\": {\n        \"name\": \"Lan\""));
    let r = s.warroom_db(&b, &["task", "1.2", "done", "--at", "06:14", "--by", "Huy", "--role", "DBA"]);
    assert!(r.ok(), "{r:?}");
    let back = until(&s, &a, "B's change on A", |st| st.contains("\"name\": \"Huy\""));
    eprintln!("sync: a change reached the other laptop in {} ms and {} ms", took.as_millis(), back.as_millis());
    let now = ["status", "--json", "--now", "2026-01-31T06:20"];
    assert_eq!(s.ok(&now), s.warroom_db(&b, &now).stdout, "both laptops see the same run");
}
