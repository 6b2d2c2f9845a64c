//! Five real `warroom serve --peer` processes on loopback, each link between two of them through
//! a proxy the test can cut: writes on every laptop (through the CLI, while its server runs or
//! while it is down), random partitions into up to three groups, and random `kill -9` and
//! restarts. After every kill the database passes SQLite's integrity check; after healing, all
//! five hold every acknowledged event and the same state hash within seconds.

use std::path::PathBuf;
use std::time::{Duration, Instant};
use warroom_tests::Scratch;
use warroom_tests::net::Proxy;

const N: usize = 5;

struct Laptop {
    db: PathBuf,
    port: u16,
    fp: String,
    connect: Vec<String>,
    child: Option<warroom_tests::Child>,
}

impl Laptop {
    fn start(&mut self) {
        let bind = format!("127.0.0.1:{}", self.port);
        // Partitions are made by the proxies: no finding each other around them on the LAN.
        let mut args = vec!["--peer-bind", bind.as_str(), "--no-mdns"];
        for c in &self.connect {
            args.extend(["--connect", c.as_str()]);
        }
        self.child = Some(warroom_tests::serve_db(&self.db, &args).0);
    }

    /// `kill -9`: no chance to finish anything.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.0.kill().unwrap();
            c.0.wait().unwrap();
        }
    }
}

impl Drop for Laptop {
    fn drop(&mut self) {
        self.kill();
    }
}

/// xorshift64*, seeded: the same run every time.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
}

fn status(s: &Scratch, l: &Laptop) -> serde_json::Value {
    let r = s.warroom_db(&l.db, &["sync", "status", "--json"]);
    assert!(r.ok(), "{r:?}");
    serde_json::from_str(&r.stdout).unwrap()
}

/// Until every laptop holds `events` events (not counting the witness events laptops sign of
/// each other's heads) and the same state; how long that took.
fn converged(s: &Scratch, laptops: &[Laptop], events: Option<u64>, within: Duration) -> (Duration, u64) {
    let started = Instant::now();
    loop {
        let all: Vec<_> = laptops.iter().map(|l| status(s, l)).collect();
        let same = all.iter().all(|v| v["state_hash"] == all[0]["state_hash"] && v["have"] == all[0]["have"]);
        let written = |v: &serde_json::Value| v["events"].as_u64().unwrap() - v["witness_events"].as_u64().unwrap();
        let count = written(&all[0]);
        if same && events.is_none_or(|e| e == count) {
            return (started.elapsed(), count);
        }
        let counts: Vec<_> = all.iter().map(written).collect();
        assert!(started.elapsed() < within, "not converged after {within:?}: events {counts:?}, want {events:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn five_laptops_with_kills_and_partitions_converge_and_lose_nothing() {
    let s = Scratch::new();
    s.live_room();

    let mut laptops: Vec<Laptop> = (0..N)
        .map(|i| {
            let db = if i == 0 { s.db() } else { s.path(&format!("l{i}.db")) };
            let fp = s.fingerprint(&db);
            Laptop { db, port: warroom_tests::free_port(), fp, connect: Vec::new(), child: None }
        })
        .collect();
    // links[i][j]: how laptop i reaches laptop j.
    let links: Vec<Vec<Option<Proxy>>> =
        (0..N).map(|i| (0..N).map(|j| (i != j).then(|| Proxy::start(laptops[j].port))).collect()).collect();
    let link = |i: usize, j: usize| links[i][j].as_ref().unwrap();
    for i in 0..N {
        let others: Vec<String> = (0..N)
            .filter(|&j| j != i)
            .map(|j| format!("https://127.0.0.1:{}#{}", link(i, j).port, laptops[j].fp))
            .collect();
        laptops[i].connect = others;
    }
    laptops[0].start();
    for (j, l) in laptops.iter().enumerate().skip(1) {
        // Each code names the link from the joiner to A, so every path goes through a proxy.
        let at = format!("127.0.0.1:{}", link(j, 0).port);
        let v: serde_json::Value = serde_json::from_str(&s.ok(&["room", "invite", "--json", "--at", &at])).unwrap();
        let r = s.warroom_db(&l.db, &["room", "join", v["code"].as_str().unwrap(), "--name", &format!("L{j}")]);
        assert!(r.ok(), "{r:?}");
    }
    for l in laptops.iter_mut().skip(1) {
        l.start();
    }
    let (_, base) = converged(&s, &laptops, None, Duration::from_secs(30));

    let mut rng = Rng(0x5eed_2026);
    let mut acked = 0u64;
    let mut kills = 0;
    for round in 0..12 {
        // A partition into up to three groups, by cutting the links between them.
        let group: Vec<usize> = (0..N).map(|_| rng.below(3)).collect();
        for i in 0..N {
            for j in (0..N).filter(|&j| j != i) {
                link(i, j).cut(group[i] != group[j]);
            }
        }
        for n in 0..4 {
            let i = rng.below(N);
            let note = format!("round {round} write {n} on L{i}");
            let r = s.warroom_db(&laptops[i].db, &["task", "1.1", "comment", "--note", &note, "--by", "Lan"]);
            if r.ok() {
                acked += 1;
            }
            std::thread::sleep(Duration::from_millis(rng.below(150) as u64));
        }
        if rng.below(3) > 0 {
            let i = rng.below(N);
            laptops[i].kill();
            kills += 1;
            assert_eq!(status(&s, &laptops[i])["integrity"], "ok", "L{i}'s database after kill -9");
            // Written while its server is down: acknowledged all the same.
            let r = s.warroom_db(&laptops[i].db, &["task", "1.2", "comment", "--note", "while down", "--by", "Lan"]);
            assert!(r.ok(), "{r:?}");
            acked += 1;
            laptops[i].start();
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(kills > 0, "the seed kills somebody");
    for i in 0..N {
        for j in (0..N).filter(|&j| j != i) {
            link(i, j).cut(false);
        }
    }
    let (took, count) = converged(&s, &laptops, Some(base + acked), Duration::from_secs(5));
    eprintln!("chaos: {acked} acknowledged writes, {kills} kills; converged {} ms after healing", took.as_millis());
    assert_eq!(count, base + acked, "every acknowledged write is on every laptop");
    for l in &laptops {
        assert_eq!(status(&s, l)["integrity"], "ok");
    }
}
