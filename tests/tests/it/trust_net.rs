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
