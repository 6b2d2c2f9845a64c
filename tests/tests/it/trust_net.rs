//! The attacks on a laptop's ports that need no membership, performed for real against a running
//! `warroom serve`: a flood of oversized joins and idle connections on the peer port, file
//! descriptors run out, a page whose name was rebound to the laptop, and the LAN reading the
//! API without the access token.

use std::io::Read as _;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use warroom_tests::{Scratch, free_port, serve_db, wait_for_port};

fn join_code(s: &Scratch) -> String {
    let v: serde_json::Value = serde_json::from_str(&s.ok(&["room", "invite", "--json"])).unwrap();
    v["code"].as_str().unwrap().to_owned()
}

/// A line of `/proc/PID/status`, in kB (`VmRSS`, `VmHWM`).
fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("no {field}: {status}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The CPU time the process has used, user and system.
fn cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<u64> = after_name.split_whitespace().map(|x| x.parse().unwrap_or(0)).collect();
    // utime and stime are the 14th and 15th fields; the name was the 2nd; clock ticks of 1/100 s.
    Duration::from_millis((f[11] + f[12]) * 10)
}

/// `n` TCP connections to `to` from the loopback address `from`, which never say anything.
fn idle_connections(from: IpAddr, to: SocketAddr, n: usize) -> Vec<TcpStream> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut open = Vec::new();
        for _ in 0..n {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind(SocketAddr::new(from, 0)).unwrap();
            open.push(socket.connect(to).await.unwrap().into_std().unwrap());
        }
        open
    })
}

/// How many of `conns` the other side has closed (a read ends or fails at once).
fn closed(conns: &[TcpStream]) -> usize {
    conns
        .iter()
        .filter(|c| {
            c.set_nonblocking(true).unwrap();
            let mut b = [0u8; 1];
            let r = (&**c).read(&mut b);
            !matches!(r, Err(ref e) if e.kind() == std::io::ErrorKind::WouldBlock)
        })
        .count()
}

/// An HTTPS client with the certificate of the laptop whose database is `db` (a stranger's, made
/// on first use), pinned to `fp`, calling from `from`.
fn client_from(db: &std::path::Path, fp: &str, from: IpAddr) -> reqwest::blocking::Client {
    let mut store = warroom_core::Store::open(db).unwrap();
    let me = warroom_core::sync::tls::Identity::of(&mut store).unwrap();
    reqwest::blocking::Client::builder()
        .tls_backend_preconfigured(me.client_config(fp).unwrap())
        .local_address(from)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Waits until `warroom status` on `db` passes `ok`; how long it took.
fn until(s: &Scratch, db: &std::path::Path, what: &str, ok: impl Fn(&str) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        let r = s.warroom_db(db, &["status", "--json", "--now", "2026-01-31T06:20"]);
        if r.ok() && ok(&r.stdout) {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{what}: never arrived");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A served room (Lan's) with Huy's laptop joined and serving, following it.
struct Room {
    s: Scratch,
    a: warroom_tests::Child,
    peer: SocketAddr,
    fp_a: String,
    b: std::path::PathBuf,
    _b: warroom_tests::Child,
}

fn a_room() -> Room {
    let s = Scratch::new();
    s.live_room();
    let port = free_port();
    let a = serve_db(&s.db(), &["--peer-bind", &format!("127.0.0.1:{port}"), "--no-mdns"]).0;
    wait_for_port(port, "A's peer service");
    let fp_a = s.fingerprint(&s.db());
    let b = s.path("b.db");
    let r = s.warroom_db(&b, &["room", "join", &join_code(&s), "--name", "Huy's laptop"]);
    assert!(r.ok(), "{r:?}");
    let pb = free_port();
    let b_served = serve_db(&b, &["--peer-bind", &format!("127.0.0.1:{pb}"), "--no-mdns"]).0;
    wait_for_port(pb, "B's peer service");
    Room { s, a, peer: SocketAddr::from(([127, 0, 0, 1], port)), fp_a, b, _b: b_served }
}

#[test]
fn a_flood_of_huge_joins_and_idle_connections_neither_swells_the_server_nor_stops_a_member() {
    let room = a_room();
    let (s, pid) = (&room.s, room.a.0.id());
    let before = status_kb(pid, "VmRSS");
    let stranger = s.path("stranger.db");
    let url = format!("https://{}/v1/join", room.peer);

    // A few hundred connections that never start TLS, from one address...
    let idle = idle_connections([127, 0, 0, 2].into(), room.peer, 300);
    // ...and 16 joins of 32 MiB each from another, half with their length and half without.
    let flood: Vec<_> = (0..16)
        .map(|i| {
            let client = client_from(&stranger, &room.fp_a, [127, 0, 0, 3].into());
            let url = url.clone();
            std::thread::spawn(move || {
                let huge = std::io::repeat(b' ').take(32 * 1024 * 1024);
                let body = if i % 2 == 0 {
                    reqwest::blocking::Body::sized(huge, 32 * 1024 * 1024)
                } else {
                    reqwest::blocking::Body::new(huge)
                };
                let r = client.post(&url).header("content-type", "application/json").body(body).send();
                r.map(|r| r.status().as_u16()).map_err(|e| e.to_string())
            })
        })
        .collect();
    let mut peak = before;
    let mut sampling = true;
    let mut answers = Vec::new();
    let started = Instant::now();
    while sampling {
        peak = peak.max(status_kb(pid, "VmRSS"));
        std::thread::sleep(Duration::from_millis(20));
        sampling = started.elapsed() < Duration::from_secs(2) || flood.iter().any(|t| !t.is_finished());
    }
    for t in flood {
        answers.push(t.join().unwrap());
    }
    let hwm = status_kb(pid, "VmHWM");
    eprintln!(
        "flood: RSS {} MB before, {} MB at most sampled, {} MB high-water mark",
        before / 1024,
        peak / 1024,
        hwm / 1024
    );
    assert!(hwm < 200 * 1024, "the server stayed under 200 MB: {hwm} kB");
    assert!(answers.iter().all(|a| matches!(a, Ok(413) | Err(_))), "every join refused for its size: {answers:?}");
    assert!(closed(&idle) >= 300 - 32, "the connections over the cap for one address are closed at once");

    // While the idle ones still hang, a member's change crosses the peer port.
    s.ok(&["task", "1.1", "done", "--at", "06:08", "--by", "Mai", "--role", "Tech Lead"]);
    let took = until(s, &room.b, "A's change on B during the flood", |st| st.contains("\"name\": \"Mai\""));
    eprintln!("flood: a member's change arrived in {} ms", took.as_millis());
    assert!(status_kb(pid, "VmHWM") < 200 * 1024, "nor after");

    // A handshake that never comes is given up on.
    std::thread::sleep(Duration::from_secs(11).saturating_sub(started.elapsed()));
    let waited = Instant::now();
    while closed(&idle) < idle.len() {
        assert!(waited.elapsed() < Duration::from_secs(3), "idle connections outlived the handshake deadline");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_server_out_of_file_descriptors_pauses_instead_of_spinning_and_serves_again_after() {
    let s = Scratch::new();
    s.live_room();
    let port = free_port();
    let (a, _) =
        warroom_tests::serve_db_with_nofile(&s.db(), 64, &["--peer-bind", &format!("127.0.0.1:{port}"), "--no-mdns"]);
    wait_for_port(port, "A's peer service");
    let fp_a = s.fingerprint(&s.db());
    let b = s.path("b.db");
    let r = s.warroom_db(&b, &["room", "join", &join_code(&s), "--name", "Huy's laptop"]);
    assert!(r.ok(), "{r:?}");
    let peer = SocketAddr::from(([127, 0, 0, 1], port));
    let pid = a.0.id();

    // Thirty from each of four addresses: under the cap per address, over what it may open.
    let idle: Vec<_> = (2..6).flat_map(|last| idle_connections([127, 0, 0, last].into(), peer, 30)).collect();
    std::thread::sleep(Duration::from_millis(500));
    let (t0, c0) = (Instant::now(), cpu(pid));
    std::thread::sleep(Duration::from_secs(3));
    let used = cpu(pid) - c0;
    eprintln!("out of file descriptors: {} ms of CPU in {} ms", used.as_millis(), t0.elapsed().as_millis());
    assert!(used < Duration::from_millis(600), "the accept loop spun: {} ms of CPU in 3 s", used.as_millis());

    drop(idle);
    let url = format!("https://{peer}");
    let started = Instant::now();
    loop {
        let r = s.warroom_db(&b, &["sync", "with", &url, "--fingerprint", &fp_a]);
        if r.ok() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "A never served again: {r:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The LAN address of this machine: the one it would send from to reach the Internet.
fn lan_ip() -> IpAddr {
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    probe.connect("192.0.2.1:9").or_else(|_| probe.connect("8.8.8.8:53")).unwrap();
    let ip = probe.local_addr().unwrap().ip();
    assert!(!ip.is_loopback(), "this machine has no LAN address to test with");
    ip
}

/// A plain HTTP/1.1 exchange, written by hand so the `Host` header says what the test wants.
fn raw_http(to: SocketAddr, request: &str) -> String {
    use std::io::Write as _;
    let mut tcp = TcpStream::connect(to).unwrap();
    tcp.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).ok();
    answer
}

#[test]
fn a_page_whose_name_was_rebound_to_the_laptop_gets_nothing_and_changes_nothing() {
    let s = Scratch::new();
    s.live_room();
    let server = warroom_tests::Server::start(&s, &[]);
    let at: SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let act = r#"{"by":{"name":"Eve","role":"Tech Lead"},"action":"task","task":"1.1","verb":"start"}"#;
    for host in ["rebind.evil.example", &format!("rebind.evil.example:{}", at.port())] {
        let answer = raw_http(
            at,
            &format!(
                "POST /api/act HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{act}",
                act.len()
            ),
        );
        assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
        let page = raw_http(at, &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        assert!(page.starts_with("HTTP/1.1 421") && !page.contains("<script"), "the UI is not served either: {page}");
    }
    let status = s.ok(&["status", "--json"]);
    assert!(!status.contains("\"name\": \"Eve\""), "the rebound write recorded nothing: {status}");

    // Addressed as itself, the same laptop answers, with its security headers.
    let ok = raw_http(at, &format!("GET / HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n", at.port()));
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    let head = ok.split("\r\n\r\n").next().unwrap().to_ascii_lowercase();
    for h in [
        "content-security-policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-",
        "frame-ancestors 'none'",
        "x-frame-options: deny",
        "x-content-type-options: nosniff",
        "referrer-policy: no-referrer",
    ] {
        assert!(head.contains(h), "{h} in {head}");
    }
}

#[test]
fn secrets_do_not_leave_a_shared_server_without_the_token_and_a_reveal() {
    use std::io::BufRead as _;
    let s = Scratch::new();
    s.live_room();
    s.ok(&["edit", "set", "command", "x1", "command=psql -W {{secret:hunter2}}"]);
    let port = free_port();
    let mut serve = std::process::Command::new(warroom_tests::binary("warroom"));
    serve.env("WARROOM_DB", s.db()).env("USER", "tester").args(["serve", "--bind", &format!("0.0.0.0:{port}")]);
    let mut child = serve.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let _server = warroom_tests::Child(child);
    let token = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split("#token=").nth(1).map(str::to_owned))
        .unwrap_or_else(|| panic!("no writers' link printed"));
    std::thread::spawn(move || lines.for_each(drop));
    let base = format!("http://{}:{port}", lan_ip());
    rustls::crypto::ring::default_provider().install_default().ok();
    let http = reqwest::blocking::Client::new();
    let get = |path: &str, token: Option<&str>| {
        let mut r = http.get(format!("{base}{path}"));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let r = r.send().unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        r.bytes().unwrap().to_vec()
    };
    let pdf_text = |bytes: &[u8]| {
        let file = s.path("record.pdf");
        std::fs::write(&file, bytes).unwrap();
        warroom_tests::pdf_text(&file)
    };
    let paths = ["/api/runbook", "/api/activity", "/api/status", "/api/report"];
    for path in paths {
        for (token, query) in [(None, ""), (None, "?reveal=1"), (Some(token.as_str()), "")] {
            let body = String::from_utf8_lossy(&get(&format!("{path}{query}"), token)).into_owned();
            assert!(!body.contains("hunter2"), "{path}{query} with token {}: {body}", token.is_some());
        }
    }
    for (token, query) in [(None, ""), (None, "&reveal=1"), (Some(token.as_str()), "")] {
        let pdf = get(&format!("/api/report?format=pdf{query}"), token);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(!pdf.windows(7).any(|w| w == b"hunter2"), "the PDF's bytes hold no secret");
        let text = pdf_text(&pdf);
        assert!(!text.contains("hunter2") && text.contains("psql -W"), "the PDF shows the command, hidden: {text}");
    }
    // With the token, and asked for: revealed.
    for path in ["/api/runbook?reveal=1", "/api/activity?reveal=1", "/api/report?reveal=1"] {
        let body = String::from_utf8_lossy(&get(path, Some(&token))).into_owned();
        assert!(body.contains("hunter2"), "{path}: {body}");
    }
    assert!(pdf_text(&get("/api/report?format=pdf&reveal=1", Some(&token))).contains("hunter2"));
}
