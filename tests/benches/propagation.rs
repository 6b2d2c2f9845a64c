//! One change, visible on all of ten `warroom serve --peer` laptops on loopback: how long from
//! the write on one laptop until every other laptop's UI stream (`/api/events`) says it changed.
//! Needs the `warroom` binary of the same profile: `cargo build --release --bins` first.
//! `cargo bench -p warroom-tests --bench propagation` prints p50, p95 and the worst of 40 changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::BufRead as _;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use warroom_tests::Scratch;

const PEERS: usize = 10;
const CHANGES: usize = 40;

fn main() {
    // reqwest is built without a default TLS provider; these plain HTTP calls still need one.
    // Another bench of this binary may have installed it already.
    rustls::crypto::ring::default_provider().install_default().ok();
    let s = Scratch::new();
    s.live_room();
    let dbs: Vec<_> = (0..PEERS).map(|i| if i == 0 { s.db() } else { s.path(&format!("p{i}.db")) }).collect();
    let ports: Vec<u16> = (0..PEERS).map(|_| warroom_tests::free_port()).collect();
    let fps: Vec<String> = dbs.iter().map(|db| s.fingerprint(db)).collect();
    let connect = |i: usize| -> Vec<String> {
        (0..PEERS).filter(|&j| j != i).map(|j| format!("https://127.0.0.1:{}#{}", ports[j], fps[j])).collect()
    };
    let mut servers = vec![serve(&dbs[0], ports[0], &connect(0))];
    let code: serde_json::Value = serde_json::from_str(&s.ok(&["room", "invite", "--json"])).unwrap();
    for i in 1..PEERS {
        assert!(s.warroom_db(&dbs[i], &["room", "join", code["code"].as_str().unwrap()]).ok());
        servers.push(serve(&dbs[i], ports[i], &connect(i)));
    }
    std::thread::sleep(Duration::from_secs(3));

    let (tx, rx) = mpsc::channel::<(usize, Instant)>();
    for (i, (_, url)) in servers.iter().enumerate() {
        let (tx, url) = (tx.clone(), url.clone());
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::builder().timeout(None).build().unwrap();
            let resp = client.get(format!("{url}/api/events")).send().unwrap();
            // The stream ends when the servers are stopped at the end.
            for line in std::io::BufReader::new(resp).lines().map_while(Result::ok) {
                if line == "event: changed" {
                    tx.send((i, Instant::now())).ok();
                }
            }
        });
    }
    std::thread::sleep(Duration::from_millis(500));
    let client = reqwest::blocking::Client::new();
    let mut took = Vec::new();
    for k in 0..CHANGES {
        let writer = k % PEERS;
        while rx.try_recv().is_ok() {}
        let body = format!(
            r#"{{"by":{{"name":"Lan","role":"Tech Lead"}},"action":"comment","task":"1.1","text":"change {k}"}}"#
        );
        let started = Instant::now();
        let r = client
            .post(format!("{}/api/act", servers[writer].1))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().unwrap());
        let mut seen = [false; PEERS];
        seen[writer] = true;
        let mut last = started;
        while seen.iter().any(|s| !s) {
            let (i, at) = rx.recv_timeout(Duration::from_secs(10)).expect("a peer never saw the change");
            if !seen[i] {
                seen[i] = true;
                last = last.max(at);
            }
        }
        took.push(last - started);
        std::thread::sleep(Duration::from_millis(150));
    }
    took.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "propagation: one change visible on all {PEERS} peers: p50 {:.1} ms, p95 {:.1} ms, worst {:.1} ms ({CHANGES} changes)",
        ms(took[took.len() / 2]),
        ms(took[took.len() * 95 / 100]),
        ms(took[took.len() - 1])
    );
}

fn serve(db: &std::path::Path, port: u16, connect: &[String]) -> (warroom_tests::Child, String) {
    let bind = format!("127.0.0.1:{port}");
    let mut args = vec!["--peer-bind", bind.as_str(), "--no-mdns"];
    for c in connect {
        args.extend(["--connect", c.as_str()]);
    }
    warroom_tests::serve_db(db, &args)
}
