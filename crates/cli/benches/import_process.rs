//! `warroom import` of a 10,000-task Markdown runbook as a whole process, as a team's first
//! minute runs it: start, read and parse the file, open a new database, commit the runbook,
//! print the report, exit (goal < 150 ms). `cargo bench -p warroom-cli --bench import_process`
//! prints the fastest, median and p95 of 20 runs, each into a new database, after 3 to warm up.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{Duration, Instant};
use warroom_core::demo;

const RUNS: usize = 20;

fn main() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let md = dir.path().join("night.md");
    std::fs::write(&md, demo::synthetic_markdown(10_000)).unwrap();
    let size = std::fs::metadata(&md).unwrap().len();
    let mut n = 0;
    let mut import = || {
        n += 1;
        let db = dir.path().join(format!("import-{n}.db"));
        let t = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
            .args(["--db", db.to_str().unwrap(), "--by", "bench", "--role", "DBA", "import", md.to_str().unwrap()])
            .output()
            .unwrap();
        let took = t.elapsed();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        took
    };
    for _ in 0..3 {
        import();
    }
    let mut times: Vec<Duration> = (0..RUNS).map(|_| import()).collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "warroom import, 10,000 tasks ({} KB of Markdown) into a new database: fastest {:.1} ms, median {:.1} ms, p95 {:.1} ms ({RUNS} runs)",
        size / 1024,
        ms(times[0]),
        ms(times[RUNS / 2]),
        ms(times[RUNS * 95 / 100]),
    );
}
