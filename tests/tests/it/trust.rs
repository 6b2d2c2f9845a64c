//! The attacks on the record, performed as an attacker would with real processes and files:
//! rewriting a database's history and rehashing it, pushing an event forged as another member
//! with a member's own certificate, a clock at the end of time, a revoked laptop's later writes
//! passed on by a member that had not heard of the revocation.

use warroom_tests::Scratch;

fn verify(s: &Scratch, db: &std::path::Path) -> warroom_tests::Run {
    s.warroom_db(db, &["verify"])
}

#[test]
fn a_history_rewritten_and_rehashed_with_the_file_alone_is_caught_by_verify() {
    let s = Scratch::new();
    s.live_room();
    for t in ["1.1", "1.2", "1.3"] {
        s.ok(&["task", t, "done", "--at", "06:10"]);
    }
    let r = verify(&s, &s.db());
    assert!(r.ok() && r.stdout.contains("intact") && r.stdout.contains("key "), "{r:?}");
    assert!(!std::fs::read_to_string(s.db()).unwrap_or_default().contains("BEGIN PRIVATE"), "no key in the file");

    // The attack: move one event, recompute every later hash, fix the merged state, put the
    // append-only trigger back. What a 30-line script did to the unsigned log.
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let mut events: Vec<warroom_model::Event> = Vec::new();
    {
        let origin: String = conn.query_row("SELECT value FROM local WHERE key = 'origin'", [], |r| r.get(0)).unwrap();
        let mut stmt = conn
            .prepare("SELECT seq, hlc, wall_ms, author_name, author_role, kind, payload, writes, prev_hash, hash, key, sig FROM events WHERE origin = ?1 ORDER BY seq")
            .unwrap();
        let rows = stmt
            .query_map([&origin], |r| {
                Ok(warroom_model::Event {
                    origin: origin.clone(),
                    seq: r.get(0)?,
                    hlc: r.get(1)?,
                    wall_ms: r.get(2)?,
                    author: warroom_model::Author { name: r.get(3)?, role: r.get(4)? },
                    kind: r.get(5)?,
                    payload: serde_json::from_str(&r.get::<_, String>(6)?).unwrap(),
                    writes: serde_json::from_str(&r.get::<_, String>(7)?).unwrap(),
                    prev_hash: r.get(8)?,
                    hash: r.get(9)?,
                    key: r.get(10)?,
                    sig: r.get(11)?,
                })
            })
            .unwrap();
        events.extend(rows.map(Result::unwrap));
    }
    // The last task's sign-off, moved: another time, another person.
    let target = events.iter().rposition(|e| e.kind.starts_with("task.") && !e.writes.is_empty()).unwrap();
    for w in &mut events[target].writes {
        if w.value.is_string() {
            w.value = serde_json::json!("2026-01-31T05:55:00+07:00");
        }
    }
    for i in target..events.len() {
        if i > 0 {
            events[i].prev_hash = events[i - 1].hash.clone();
        }
        events[i].hash = warroom_core::store::event_hash(&events[i]);
    }
    conn.execute_batch("DROP TRIGGER events_append_only_update").unwrap();
    for e in &events[target..] {
        conn.execute(
            "UPDATE events SET writes = ?1, prev_hash = ?2, hash = ?3 WHERE origin = ?4 AND seq = ?5",
            rusqlite::params![serde_json::to_string(&e.writes).unwrap(), e.prev_hash, e.hash, e.origin, e.seq],
        )
        .unwrap();
    }
    for w in &events[target].writes {
        conn.execute(
            "UPDATE fields SET value = ?1 WHERE entity = ?2 AND id = ?3 AND field = ?4",
            rusqlite::params![w.value.to_string(), w.entity, w.id, w.field],
        )
        .unwrap();
    }
    conn.execute_batch(
        "CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
         BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;",
    )
    .unwrap();
    drop(conn);
    let r = verify(&s, &s.db());
    assert!(!r.ok(), "verify must fail: {r:?}");
    assert!(r.stderr.contains("signature does not match"), "{r:?}");
    let pdf = s.path("record.pdf");
    let rep = s.warroom(&["report", "--format", "pdf", "-o", pdf.to_str().unwrap()]);
    assert!(rep.ok(), "{rep:?}");
    let text = warroom_tests::pdf_text(&pdf);
    assert!(text.contains("BROKEN") && !text.contains("integrity verified"), "{text}");
}

/// A room served by A with B and C admitted by join codes; A's peer URL and fingerprint.
fn three_laptops(s: &Scratch) -> (warroom_tests::Server, String, String) {
    s.live_room();
    let port = warroom_tests::free_port();
    let server = warroom_tests::Server::start(s, &["--peer-bind", &format!("127.0.0.1:{port}")]);
    warroom_tests::wait_for_port(port, "the peer service");
    for (db, name) in [("b.db", "B"), ("c.db", "C")] {
        let v: serde_json::Value = serde_json::from_str(&s.ok(&["room", "invite", "--json"])).unwrap();
        let r = s.warroom_db(&s.path(db), &["room", "join", v["code"].as_str().unwrap(), "--name", name]);
        assert!(r.ok(), "{r:?}");
    }
    (server, format!("https://127.0.0.1:{port}"), s.fingerprint(&s.db()))
}

fn member_client(db: &std::path::Path, fp: &str) -> reqwest::blocking::Client {
    let mut store = warroom_core::Store::open(db).unwrap();
    let me = warroom_core::sync::tls::Identity::of(&mut store).unwrap();
    reqwest::blocking::Client::builder().tls_backend_preconfigured(me.client_config(fp).unwrap()).build().unwrap()
}

fn status(s: &Scratch) -> serde_json::Value {
    status_of(s, &s.db())
}

fn status_of(s: &Scratch, db: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&s.warroom_db(db, &["sync", "status", "--json"]).stdout).unwrap()
}

#[test]
fn a_member_cannot_forge_events_as_another_laptop_or_stop_the_room_with_its_clock() {
    let s = Scratch::new();
    let (_a, url, fp_a) = three_laptops(&s);
    let b = warroom_core::Store::open(&s.path("b.db")).unwrap();
    let (origin_b, seq_b) = (b.origin().to_owned(), b.version_vector().unwrap()[b.origin()]);
    let head_b = b.events().unwrap().into_iter().rev().find(|e| e.origin == origin_b);
    drop(b);
    let before = status(&s);

    // C, with its own member certificate, pushes an event that claims to be B's next one.
    let mallory = warroom_core::keys::LaptopKeys::generate().unwrap();
    let mut forged = warroom_model::Event {
        origin: origin_b.clone(),
        seq: seq_b + 1,
        hlc: 0,
        wall_ms: chrono::Utc::now().timestamp_millis(),
        author: warroom_model::Author { name: "Huy".into(), role: "DBA".into() },
        kind: "task.assign".into(),
        payload: serde_json::json!({ "summary": "1.4 is now Mallory's" }),
        writes: vec![warroom_model::Write::set("task", "1.4", "owner", serde_json::json!("Mallory"))],
        prev_hash: head_b.map(|e| e.hash).unwrap_or_default(),
        hash: String::new(),
        key: mallory.public_hex(),
        sig: String::new(),
    };
    forged.hlc = u64::try_from(forged.wall_ms).unwrap() << 16;
    forged.hash = warroom_core::store::event_hash(&forged);
    forged.sig = mallory.sign_hash(&forged.hash);
    let c = member_client(&s.path("c.db"), &fp_a);
    let push = |ev: &warroom_model::Event| {
        let r = c.post(format!("{url}/v1/push")).json(&vec![ev]).send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let (code, body) = push(&forged);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("forged"), "refused, and said why: {body}");
    let after = status(&s);
    assert_eq!(after["state_hash"], before["state_hash"], "nothing changed");
    assert_eq!(after["have"], before["have"]);
    let alarm = s.ok(&["sync", "status"]);
    assert!(alarm.contains("ALARM: refused event") && alarm.contains(&origin_b), "{alarm}");

    // C's own event, stamped at the end of time: refused, and writing goes on everywhere.
    let c_store = warroom_core::Store::open(&s.path("c.db")).unwrap();
    let mut late = c_store.events().unwrap().into_iter().rev().find(|e| e.origin == c_store.origin()).unwrap();
    drop(c_store);
    late.hlc = i64::MAX as u64;
    late.hash = warroom_core::store::event_hash(&late);
    let (code, body) = push(&late);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("ahead"), "{body}");
    let done = s.warroom(&["task", "1.4", "done", "--at", "06:30"]);
    assert!(done.ok(), "writes go on: {done:?}");
}

#[test]
fn a_revoked_laptops_later_writes_passed_on_by_a_member_are_refused_and_taken_out() {
    let s = Scratch::new();
    s.live_room();
    let (b, d) = (s.path("b.db"), s.path("d.db"));
    let port = warroom_tests::free_port();
    let server = warroom_tests::Server::start(&s, &["--peer-bind", &format!("127.0.0.1:{port}")]);
    warroom_tests::wait_for_port(port, "the peer service");
    for (db, name) in [(&b, "B"), (&d, "D")] {
        let v: serde_json::Value = serde_json::from_str(&s.ok(&["room", "invite", "--json"])).unwrap();
        assert!(s.warroom_db(db, &["room", "join", v["code"].as_str().unwrap(), "--name", name]).ok());
    }
    drop(server);
    // B syncs D's join; then B is away while A revokes D.
    assert!(s.warroom_db(&b, &["sync", "file", s.db().to_str().unwrap()]).ok());
    let fp_d = s.fingerprint(&d);
    s.ok(&["room", "revoke", &fp_d]);
    // D writes on and passes it to B, which has not heard of the revocation.
    let w = s.warroom_db(&d, &["task", "1.5", "comment", "--note", "moved by Mallory", "--by", "Duc", "--role", "DBA"]);
    assert!(w.ok(), "{w:?}");
    let took = s.warroom_db(&b, &["sync", "file", d.to_str().unwrap()]);
    assert!(took.ok(), "{took:?}");
    let wrote = |db: &std::path::Path| {
        let r = s.warroom_db(db, &["log"]);
        assert!(r.ok(), "{r:?}");
        r.stdout.contains("Duc")
    };
    assert!(wrote(&b), "B took D's late write");
    // A and B meet: A refuses D's late write and says so; B, taking A's revocation in the same
    // exchange, takes it out again.
    let r = s.warroom(&["sync", "file", b.to_str().unwrap()]);
    assert!(r.ok() && r.stdout.contains("ALARM") && r.stdout.contains("revoked"), "{r:?}");
    assert!(!wrote(&s.db()), "A never took it");
    assert!(!wrote(&b), "B took it out once the revocation reached it");
    assert_eq!(status_of(&s, &b)["state_hash"], status(&s)["state_hash"], "A and B agree");
    assert!(verify(&s, &b).ok(), "{:?}", verify(&s, &b));
}

#[test]
fn a_revoked_laptops_later_writes_passed_on_by_a_relay_are_refused_and_taken_out() {
    let s = Scratch::new();
    s.live_room();
    let (relay, b, d) = (s.path("relay.db"), s.path("b.db"), s.path("d.db"));
    let port = warroom_tests::free_port();
    let server = warroom_tests::Server::start(&s, &["--no-mdns", "--peer-bind", &format!("127.0.0.1:{port}")]);
    warroom_tests::wait_for_port(port, "the peer service");
    for (db, name) in [(&relay, "relay"), (&b, "B"), (&d, "D")] {
        let v: serde_json::Value = serde_json::from_str(&s.ok(&["room", "invite", "--json"])).unwrap();
        assert!(s.warroom_db(db, &["room", "join", v["code"].as_str().unwrap(), "--name", name]).ok());
    }
    // The relay learns from A who joined; then A is out of its reach while A revokes D.
    let (_relay, url) = crate::sync::start_relay(&relay);
    let fp_r = s.fingerprint(&relay);
    let started = std::time::Instant::now();
    while !s.warroom_db(&relay, &["room", "members"]).stdout.contains("  D") {
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "the relay never heard that D joined");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(server);
    s.ok(&["room", "revoke", &s.fingerprint(&d)]);
    // D writes on and hands it to the relay, and B takes it from there.
    let w = s.warroom_db(&d, &["task", "1.5", "comment", "--note", "moved by Mallory", "--by", "Duc", "--role", "DBA"]);
    assert!(w.ok(), "{w:?}");
    let gave = s.warroom_db(&d, &["sync", "with", &url, "--fingerprint", &fp_r]);
    assert!(gave.ok() && !gave.stdout.trim_end().ends_with("gave it 0 events"), "{gave:?}");
    let wrote = |db: &std::path::Path| {
        let r = s.warroom_db(db, &["log"]);
        assert!(r.ok(), "{r:?}");
        r.stdout.contains("Duc")
    };
    assert!(s.warroom_db(&b, &["sync", "with", &url, "--fingerprint", &fp_r]).ok());
    assert!(wrote(&relay) && wrote(&b), "the relay passed D's late write on");
    // A reaches the relay: it refuses D's late write and raises the alarm; the relay, taking the
    // revocation, takes the write out again, and so does B at its next exchange.
    let r = s.warroom(&["sync", "with", &url, "--fingerprint", &fp_r]);
    assert!(r.ok() && r.stdout.contains("ALARM") && r.stdout.contains("revoked"), "{r:?}");
    assert!(!wrote(&s.db()), "A never took it");
    assert!(!wrote(&relay), "the relay took it out once the revocation reached it");
    assert!(s.warroom_db(&b, &["sync", "with", &url, "--fingerprint", &fp_r]).ok());
    assert!(!wrote(&b), "B took it out too");
    assert_eq!(status_of(&s, &b)["state_hash"], status(&s)["state_hash"], "A and B agree");
    assert!(verify(&s, &b).ok(), "{:?}", verify(&s, &b));
}
