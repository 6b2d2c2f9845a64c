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
    assert_ne!(s.fingerprint(&copy), s.fingerprint(&a));
    let r = s.warroom_db(&copy, &["task", "1.3", "done", "--at", "06:19", "--by", "Minh", "--role", "DBA"]);
    assert!(r.ok(), "{r:?}");
    let merged = s.ok(&["sync", "file", copy.to_str().unwrap()]);
    assert!(merged.starts_with("took 1 event from"), "{merged}");
    let vv: serde_json::Value = serde_json::from_str(&s.ok(&["sync", "status", "--json"])).unwrap();
    assert_eq!(vv["have"].as_object().unwrap().len(), 3, "three laptops now: {vv}");
}

/// A room on the scratch database with a live run and one task done, served to peers on a port
/// of its own: the served process, the peer URL, and A's fingerprint.
pub(crate) fn a_served_room(s: &Scratch) -> (warroom_tests::Server, u16, String) {
    s.live_room();
    s.ok(&["task", "1.1", "done", "--at", "06:08"]);
    let port = warroom_tests::free_port();
    let server = warroom_tests::Server::start(s, &["--peer-bind", &format!("127.0.0.1:{port}")]);
    warroom_tests::wait_for_port(port, "the peer service");
    (server, port, s.fingerprint(&s.db()))
}

pub(crate) fn join_code(s: &Scratch, args: &[&str]) -> String {
    let mut all = vec!["room", "invite", "--json"];
    all.extend_from_slice(args);
    let v: serde_json::Value = serde_json::from_str(&s.ok(&all)).unwrap();
    v["code"].as_str().unwrap().to_owned()
}

pub(crate) fn sync_status(s: &Scratch, db: &std::path::Path) -> serde_json::Value {
    let r = s.warroom_db(db, &["sync", "status", "--json"]);
    assert!(r.ok(), "{r:?}");
    serde_json::from_str(&r.stdout).unwrap()
}

#[test]
fn a_laptop_joins_with_a_join_code_and_gets_the_runbook_and_its_history() {
    let s = Scratch::new();
    let (_a, port, fp_a) = a_served_room(&s);
    let b = s.path("b.db");
    let code = join_code(&s, &[]);
    assert!(code.contains(&format!("at=127.0.0.1:{port}")) && code.contains(&fp_a), "{code}");
    let text = s.ok(&["room", "invite"]);
    assert!(text.contains("warroom://join?room=") && text.contains('█'), "a code and its QR code: {text}");

    let joined = s.warroom_db(&b, &["room", "join", &code, "--name", "Huy's laptop"]);
    assert!(joined.ok() && joined.stdout.starts_with("Joined GO-LIVE RUNBOOK as Huy's laptop"), "{joined:?}");
    let now = ["status", "--json", "--now", "2026-01-31T06:20"];
    assert_eq!(s.ok(&now), s.warroom_db(&b, &now).stdout, "B sees the run as A does");
    let fp_b = s.fingerprint(&b);
    let members = s.ok(&["room", "members"]);
    assert!(members.contains("Huy's laptop") && members.contains("bridge laptop  (this laptop)"), "{members}");
    let on_b = s.warroom_db(&b, &["room", "members"]).stdout;
    assert!(on_b.contains("Huy's laptop  (this laptop)"), "B learned its own membership through the log: {on_b}");
    let log = s.ok(&["log"]);
    assert!(log.contains("member.join        Lan (Tech Lead)"), "the audit trail says who let B in: {log}");

    // Joining again with the same code changes nothing; a database holding another runbook
    // is not merged into the room.
    let again = s.warroom_db(&b, &["room", "join", &code]);
    assert!(again.ok(), "{again:?}");
    assert_eq!(sync_status(&s, &b)["events"], sync_status(&s, &s.db())["events"]);
    let other = s.path("other.db");
    assert!(s.warroom_db(&other, &["import", fixtures().join("go-live-runbook.utf8.md").to_str().unwrap()]).ok());
    let refused = s.warroom_db(&other, &["room", "join", &code]);
    assert!(!refused.ok() && refused.stderr.contains("already holds the runbook"), "{refused:?}");
    assert!(s.ok(&["peers"]).contains(&fp_b));
}

#[test]
fn wrong_expired_and_revoked_joins_strangers_and_bad_pages_are_refused_and_change_nothing() {
    let s = Scratch::new();
    let (_a, port, fp_a) = a_served_room(&s);
    let url = format!("https://127.0.0.1:{port}");
    let (b, c) = (s.path("b.db"), s.path("c.db"));
    let code = join_code(&s, &[]);
    assert!(s.warroom_db(&b, &["room", "join", &code, "--name", "Huy's laptop"]).ok());
    let fp_b = s.fingerprint(&b);
    let expired = join_code(&s, &["--hours", "0"]);
    let before = sync_status(&s, &s.db());

    // A key one digit off: refused by A, which changes nothing; C holds nothing afterwards.
    let key = code.split("key=").nth(1).unwrap()[..32].to_owned();
    let flipped = format!("{}{}", if key.starts_with('0') { '1' } else { '0' }, &key[1..]);
    let wrong = s.warroom_db(&c, &["room", "join", &code.replace(&key, &flipped)]);
    assert!(!wrong.ok() && wrong.stderr.contains("403") && wrong.stderr.contains("join code is wrong"), "{wrong:?}");
    let late = s.warroom_db(&c, &["room", "join", &expired]);
    assert!(!late.ok() && late.stderr.contains("expired at"), "{late:?}");
    assert_eq!(sync_status(&s, &s.db()), before, "refused joins change nothing");
    assert_eq!(sync_status(&s, &c)["events"], 0, "the refused laptop got nothing");

    // Not a member: refused at every sync endpoint, with the fingerprint to trust.
    let stranger = s.warroom_db(&c, &["sync", "with", &url, "--fingerprint", &fp_a]);
    assert!(!stranger.ok() && stranger.stderr.contains("not a member of the room"), "{stranger:?}");
    // A server that is not the pinned one: the client will not talk to it.
    let wrong_pin = s.warroom_db(&b, &["sync", "with", &url, "--fingerprint", &s.fingerprint(&c)]);
    assert!(!wrong_pin.ok() && wrong_pin.stderr.contains("not the pinned"), "{wrong_pin:?}");

    // A member sending what no warroom sends: a malformed page, one too long, one too big.
    let client = member_client(&b, &fp_a);
    let post = |path: &str, body: Vec<u8>| {
        let r =
            client.post(format!("{url}{path}")).header("content-type", "application/json").body(body).send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let (code_, why) = post("/v1/push", b"[{\"not\": \"an event\"}]".to_vec());
    assert!((400..500).contains(&code_), "{code_} {why}");
    let (_, page) = post("/v1/pull", br#"{"have":{},"limit":10}"#.to_vec());
    let page: serde_json::Value = serde_json::from_str(&page).unwrap();
    let event = page["events"].as_array().unwrap().iter().min_by_key(|e| e.to_string().len()).unwrap();
    let many = serde_json::to_vec(&vec![event; 2001]).unwrap();
    let (code_, why) = post("/v1/push", many);
    assert_eq!(code_, 422, "{why}");
    assert!(why.contains("at most 2000"), "{why}");
    // A body over the limit: 413, or, when the refusal beats the upload, the connection cut
    // while it is still being sent (HTTP lets a server close rather than read it all).
    let over = client
        .post(format!("{url}/v1/push"))
        .header("content-type", "application/json")
        .body(vec![b' '; 33 * 1024 * 1024])
        .send();
    match over {
        Ok(r) => assert_eq!(r.status().as_u16(), 413, "a body over the limit"),
        Err(e) => assert!(e.is_request() || e.is_body(), "refused mid-upload, not otherwise: {e:?}"),
    }
    let mut tampered = event.clone();
    tampered["payload"] = serde_json::json!({ "summary": "rewritten history" });
    let (code_, why) = post("/v1/push", serde_json::to_vec(&vec![tampered]).unwrap());
    assert!((400..500).contains(&code_) && why.contains("hash"), "{code_} {why}");
    assert_eq!(sync_status(&s, &s.db()), before, "nothing a member sent wrongly changed anything");

    // Revoked (by the CLI while A serves): shut out from the next request, and a join code,
    // even a good one, does not bring it back.
    s.ok(&["room", "revoke", &fp_b]);
    let revoked = s.warroom_db(&b, &["sync", "with", &url, "--fingerprint", &fp_a]);
    assert!(!revoked.ok() && revoked.stderr.contains("not a member of the room"), "{revoked:?}");
    let back = s.warroom_db(&b, &["room", "join", &join_code(&s, &[])]);
    assert!(!back.ok() && back.stderr.contains("was revoked"), "{back:?}");
}

/// An HTTPS client holding the certificate of the laptop whose database is `db`, pinned to `fp`.
fn member_client(db: &std::path::Path, fp: &str) -> reqwest::blocking::Client {
    let mut store = warroom_core::Store::open(db).unwrap();
    let me = warroom_core::sync::tls::Identity::of(&mut store).unwrap();
    reqwest::blocking::Client::builder().tls_backend_preconfigured(me.client_config(fp).unwrap()).build().unwrap()
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
    let (_serve_a, _, _) = a_served_room(&s);
    let b = s.path("b.db");
    let pb = warroom_tests::free_port();
    let code = join_code(&s, &[]);
    assert!(s.warroom_db(&b, &["room", "join", &code, "--name", "B"]).ok());
    // B follows A (it joined through it) and A learns nothing of B's address: B's changes go
    // by push, A's reach B by its change stream.
    let _serve_b = warroom_tests::serve_db(&b, &["--peer-bind", &format!("127.0.0.1:{pb}")]).0;
    warroom_tests::wait_for_port(pb, "B's peer service");
    std::thread::sleep(std::time::Duration::from_millis(300));

    s.ok(&["task", "1.2", "done", "--at", "06:14", "--by", "Mai", "--role", "Tech Lead"]);
    let took = until(&s, &b, "A's change on B", |st| st.contains("\"name\": \"Mai\""));
    let r = s.warroom_db(&b, &["task", "1.3", "done", "--at", "06:19", "--by", "Huy", "--role", "DBA"]);
    assert!(r.ok(), "{r:?}");
    let back = until(&s, &s.db(), "B's change on A", |st| st.contains("\"name\": \"Huy\""));
    eprintln!("sync: a change reached the other laptop in {} ms and {} ms", took.as_millis(), back.as_millis());
    let now = ["status", "--json", "--now", "2026-01-31T06:20"];
    assert_eq!(s.ok(&now), s.warroom_db(&b, &now).stdout, "both laptops see the same run");
    assert_eq!(sync_status(&s, &s.db())["state_hash"], sync_status(&s, &b)["state_hash"]);
}

#[test]
fn laptops_that_never_met_find_each_other_on_the_lan_when_the_inviter_is_gone() {
    let s = Scratch::new();
    let (serve_a, _, _) = a_served_room(&s);
    let (b, c) = (s.path("b.db"), s.path("c.db"));
    let (pb, pc) = (warroom_tests::free_port(), warroom_tests::free_port());
    let r = s.warroom_db(&b, &["room", "join", &join_code(&s, &[]), "--name", "B"]);
    assert!(r.ok(), "{r:?}");
    let _b = warroom_tests::serve_db(&b, &["--peer-bind", &format!("127.0.0.1:{pb}")]).0;
    let r = s.warroom_db(&c, &["room", "join", &join_code(&s, &[]), "--name", "C"]);
    assert!(r.ok(), "{r:?}");
    let _c = warroom_tests::serve_db(&c, &["--peer-bind", &format!("127.0.0.1:{pc}")]).0;
    // B learns from A that C is a member; then A goes away. B and C know only A's address:
    // what C records reaches B only if they find each other on the LAN (mDNS).
    let started = std::time::Instant::now();
    while !s.warroom_db(&b, &["room", "members"]).stdout.contains("  C") {
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "B never learned that C joined");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(serve_a);
    let r = s.warroom_db(&c, &["task", "1.2", "done", "--at", "06:14", "--by", "Chi", "--role", "DBA"]);
    assert!(r.ok(), "{r:?}");
    let took = until(&s, &b, "C's change on B, through discovery", |st| st.contains("\"name\": \"Chi\""));
    eprintln!("sync: found on the LAN and in step after {} ms", took.as_millis());
}

/// Whether `db`'s log holds an address that the laptop called `name` recorded for itself.
fn knows_where_it_serves(s: &Scratch, db: &std::path::Path, name: &str) -> bool {
    let r = s.warroom_db(db, &["log", "--json"]);
    let events: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap_or_default();
    events.iter().any(|e| {
        e["kind"] == "laptop.addresses"
            && e["payload"]["summary"].as_str().is_some_and(|t| t.starts_with(&format!("{name} serves")))
    })
}

#[test]
fn with_multicast_blocked_laptops_find_each_other_through_the_log_when_the_inviter_is_gone() {
    let s = Scratch::new();
    s.live_room();
    s.ok(&["task", "1.1", "done", "--at", "06:08"]);
    let pa = warroom_tests::free_port();
    let serve_a = warroom_tests::Server::start(&s, &["--no-mdns", "--peer-bind", &format!("127.0.0.1:{pa}")]);
    warroom_tests::wait_for_port(pa, "A's peer service");
    let (b, c) = (s.path("b.db"), s.path("c.db"));
    let (pb, pc) = (warroom_tests::free_port(), warroom_tests::free_port());
    let mut serving = Vec::new();
    for (db, name, port) in [(&b, "B", pb), (&c, "C", pc)] {
        let r = s.warroom_db(db, &["room", "join", &join_code(&s, &[]), "--name", name]);
        assert!(r.ok(), "{r:?}");
        serving.push(warroom_tests::serve_db(db, &["--no-mdns", "--peer-bind", &format!("127.0.0.1:{port}")]).0);
    }
    // Each knows only A's address (its join code's); B and C learn where the other serves from
    // what each recorded in the log, passed on by A.
    let started = std::time::Instant::now();
    while !(knows_where_it_serves(&s, &b, "C") && knows_where_it_serves(&s, &c, "B")) {
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "B and C never learned where the other serves");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(serve_a);
    let r = s.warroom_db(&c, &["task", "1.2", "done", "--at", "06:14", "--by", "Chi", "--role", "DBA"]);
    assert!(r.ok(), "{r:?}");
    let took = until(&s, &b, "C's change on B, without A", |st| st.contains("\"name\": \"Chi\""));
    let r = s.warroom_db(&b, &["task", "1.3", "done", "--at", "06:19", "--by", "Bảo", "--role", "QA Lead"]);
    assert!(r.ok(), "{r:?}");
    let back = until(&s, &c, "B's change on C, without A", |st| st.contains("\"name\": \"Bảo\""));
    eprintln!("sync without the inviter or multicast: {} ms and {} ms", took.as_millis(), back.as_millis());
    assert!(took < std::time::Duration::from_secs(5) && back < std::time::Duration::from_secs(5), "{took:?} {back:?}");
    // The log, and so the audit record, keeps where each laptop said it served.
    let log = s.warroom_db(&b, &["log", "--json"]).stdout;
    assert!(log.contains(&format!("C serves its peers at 127.0.0.1:{pc}")), "{log}");
}

/// `warroom serve --relay` on `db` (a member), once it serves peers; and its peer URL.
pub(crate) fn start_relay(db: &std::path::Path) -> (warroom_tests::Child, String) {
    let pr = warroom_tests::free_port();
    let mut child = std::process::Command::new(warroom_tests::binary("warroom"))
        .env("WARROOM_DB", db)
        .args(["serve", "--relay", "--no-mdns", "--peer-bind", &format!("127.0.0.1:{pr}")])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first).unwrap();
    let relay = warroom_tests::Child(child);
    assert!(first.starts_with("warroom relaying for the room's laptops: https://127.0.0.1:"), "{first}");
    (relay, format!("https://127.0.0.1:{pr}"))
}

#[test]
fn a_relay_carries_changes_between_laptops_that_cannot_reach_each_other() {
    let s = Scratch::new();
    let (_a, _, _) = a_served_room(&s);
    let (relay, b, c) = (s.path("relay.db"), s.path("b.db"), s.path("c.db"));
    for (db, name) in [(&relay, "relay"), (&b, "B"), (&c, "C")] {
        let r = s.warroom_db(db, &["room", "join", &join_code(&s, &[]), "--name", name]);
        assert!(r.ok(), "{r:?}");
    }
    let (_relay, url) = start_relay(&relay);
    let fp = s.fingerprint(&relay);
    // The relay learns from A, which it joined through, that B and C joined after it.
    let started = std::time::Instant::now();
    while !s.warroom_db(&relay, &["room", "members"]).stdout.contains("  C") {
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "the relay never heard that C joined");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // B and C serve nothing (behind NAT, on another site): each only calls the relay.
    let r = s.warroom_db(&b, &["task", "1.2", "done", "--at", "06:14", "--by", "Bao", "--role", "DBA"]);
    assert!(r.ok(), "{r:?}");
    // B's change, with the witness events laptops sign of each other's heads.
    let gave = s.warroom_db(&b, &["sync", "with", &url, "--fingerprint", &fp]);
    assert!(gave.ok() && !gave.stdout.trim_end().ends_with("gave it 0 events"), "{gave:?}");
    let took = s.warroom_db(&c, &["sync", "with", &url, "--fingerprint", &fp]);
    assert!(took.ok() && !took.stdout.starts_with("took 0 events"), "{took:?}");
    let now = ["status", "--json", "--now", "2026-01-31T06:20"];
    assert_eq!(s.warroom_db(&b, &now).stdout, s.warroom_db(&c, &now).stdout, "B and C agree, through the relay");
    assert!(s.warroom_db(&c, &now).stdout.contains("\"name\": \"Bao\""));
}

/// The `warroom` of an earlier release (scripts/build-old.sh builds it; scripts/test.sh sets
/// `WARROOM_OLD_BIN`).
fn old_warroom() -> std::path::PathBuf {
    let p = std::env::var_os("WARROOM_OLD_BIN").map(std::path::PathBuf::from);
    p.filter(|p| p.is_file()).unwrap_or_else(|| {
        panic!("the earlier release is not built: WARROOM_OLD_BIN=$(scripts/build-old.sh) cargo test …")
    })
}

#[test]
fn a_laptop_from_before_signed_events_is_told_to_update_and_changes_nothing() {
    // An older warroom would pass events on without their signatures, which every laptop now
    // refuses: it speaks an older sync protocol, and is told so both ways.
    let s = Scratch::new();
    let (_a, pa, fp_a) = a_served_room(&s);
    let o = s.path("old.db");
    let old = |args: &[&str]| -> warroom_tests::Run {
        let out =
            std::process::Command::new(old_warroom()).env("WARROOM_DB", &o).env("USER", "old").args(args).output();
        out.unwrap().into()
    };
    let fp_o = old(&["peers"]).stdout.lines().next().unwrap().trim_start_matches("this laptop").trim().to_owned();
    s.ok(&["peers", "trust", &fp_o, "--name", "old laptop"]);
    let before = sync_status(&s, &s.db());
    let took = old(&["sync", "with", &format!("https://127.0.0.1:{pa}"), "--fingerprint", &fp_a]);
    assert!(!took.ok() && took.stderr.contains("sync protocol 2") && took.stderr.contains("update"), "{took:?}");
    assert_eq!(sync_status(&s, &s.db())["have"], before["have"], "nothing was exchanged");
}
