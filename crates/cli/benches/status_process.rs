//! `warroom status --json` of a 10,000-task run as a whole process, as a script or a terminal
//! on the bridge runs it: start, open the database, read the run, print, exit (goal < 100 ms).
//! `cargo bench -p warroom-cli --bench status_process` prints the fastest, median and p95 of
//! 30 runs, after 3 to warm the page cache.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use std::process::Command;
use std::time::{Duration, Instant};
use warroom_core::live::actions::{Actions, TaskAction};
use warroom_core::{FakeClock, Store, demo, import_markdown};
use warroom_model::Author;
use warroom_model::live::RunKind;

const RUNS: usize = 30;

fn main() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let db = dir.path().join("night.db");
    let events = {
        let clock = FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).single().unwrap());
        let author = Author { name: "bench".into(), role: "DBA".into() };
        let mut store = Store::open(&db).unwrap();
        let imported = import_markdown("night.md", demo::synthetic_markdown(10_000).as_bytes()).unwrap();
        store.import(&imported, &author, false, &clock).unwrap();
        let mut a = Actions::new(&mut store, author, &clock);
        let run = a.run_start(RunKind::Live, "2026-01-31", "Asia/Ho_Chi_Minh", None).unwrap();
        // The first 300 tasks done, a little late each, as on a night under way.
        for t in imported.runbook.tasks().take(300).filter(|t| !t.checkpoint) {
            clock.advance(chrono::Duration::minutes(2));
            a.task(Some(&run.id), &t.id, TaskAction::Start, None, None).unwrap();
            clock.advance(chrono::Duration::minutes(2));
            a.task(Some(&run.id), &t.id, TaskAction::Done, None, None).unwrap();
        }
        store.event_count().unwrap()
    };
    let status = || {
        let t = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
            .args(["--db", db.to_str().unwrap(), "status", "--json", "--now", "2026-01-31T20:00"])
            .output()
            .unwrap();
        let took = t.elapsed();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (took, out.stdout.len())
    };
    for _ in 0..3 {
        status();
    }
    let mut times: Vec<Duration> = Vec::new();
    let mut bytes = 0;
    for _ in 0..RUNS {
        let (took, len) = status();
        times.push(took);
        bytes = len;
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "warroom status --json, 10,000 tasks, {events} events, {bytes} bytes out: fastest {:.1} ms, median {:.1} ms, p95 {:.1} ms ({RUNS} runs)",
        ms(times[0]),
        ms(times[RUNS / 2]),
        ms(times[RUNS * 95 / 100]),
    );
}
