//! Launch time and memory of the desktop app against the smallest Tauri window, started the
//! same way: each under a private Xvfb (1366×768) on a scratch database, timed from spawn until
//! it reports its first picture drawn (`--ready-file`), then the resident memory of its whole
//! process tree (the app and its WebKit processes) from /proc. Needs release builds:
//! `cargo build --release -p warroom-desktop --bins --examples`, then `cargo bench -p warroom-desktop`.

// A benchmark, like a test, stops at the first thing it cannot do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 5;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn release(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("../target"), PathBuf::from);
    let path = target.join("release").join(name);
    assert!(path.exists(), "{} is missing: cargo build --release -p warroom-desktop --bins --examples", path.display());
    path
}

fn xvfb() -> (Killed, String) {
    let n = (200..700)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("a free X display");
    let child = Command::new("Xvfb")
        .args([&format!(":{n}"), "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb");
    while !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
        std::thread::sleep(Duration::from_millis(20));
    }
    (Killed(child), format!(":{n}"))
}

/// Every process under `root`, `root` included.
fn tree(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else { continue };
        // The parent is the second field after the command's closing parenthesis.
        let ppid = stat.rsplit_once(')').and_then(|(_, r)| r.split_whitespace().nth(1)?.parse::<u32>().ok());
        if let Some(pp) = ppid {
            parents.push((pid, pp));
        }
    }
    let mut all = vec![root];
    let mut i = 0;
    while i < all.len() {
        let p = all[i];
        all.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    all
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The command name of a process (`WebKitWebProces`, `WebKitNetworkPr`, ...).
fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).map(|c| c.trim().to_owned()).unwrap_or_default()
}

/// Launch to first picture, in ms, the tree's resident memory once shown (and a second later),
/// in MiB, and that memory by process.
fn once(exe: &Path, display: &str, scratch: &Path) -> (u128, f64, Vec<(String, f64)>) {
    let ready = scratch.join("ready");
    std::fs::remove_file(&ready).ok();
    let home = scratch.join("home");
    std::fs::create_dir_all(&home).expect("scratch home");
    let start = Instant::now();
    let child = Command::new(exe)
        .arg("--ready-file")
        .arg(&ready)
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env("WARROOM_DB", scratch.join("bench.db"))
        .env("WARROOM_PEER_BIND", "127.0.0.1:0")
        .env("XDG_CONFIG_HOME", &home)
        .env("XDG_CACHE_HOME", &home)
        .env("XDG_DATA_HOME", &home)
        .env("MESA_SHADER_CACHE_DISABLE", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the app");
    let child = Killed(child);
    while !ready.exists() {
        assert!(start.elapsed() < Duration::from_secs(60), "{} showed nothing in 60 s", exe.display());
        std::thread::sleep(Duration::from_millis(5));
    }
    let shown = start.elapsed().as_millis();
    std::thread::sleep(Duration::from_secs(1));
    let each: Vec<(String, f64)> =
        tree(child.0.id()).into_iter().map(|p| (comm(p), rss_kib(p) as f64 / 1024.0)).collect();
    (shown, each.iter().map(|(_, m)| m).sum(), each)
}

fn main() {
    // `cargo test --benches` runs this too: only `cargo bench` measures.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let (_screen, display) = xvfb();
    let scratch = std::env::temp_dir().join(format!("warroom-launch-bench-{}", std::process::id()));
    for (name, exe) in
        [("warroom-desktop", release("warroom-desktop")), ("minimal Tauri window", release("examples/minimal"))]
    {
        let dir = scratch.join(name.replace(' ', "-"));
        std::fs::create_dir_all(&dir).expect("scratch");
        // The first start creates the database; every start opens on the Welcome (no runbook).
        let mut times = Vec::new();
        let mut mems = Vec::new();
        let mut each = Vec::new();
        for _ in 0..RUNS {
            let (ms, mib, by_process) = once(&exe, &display, &dir);
            times.push(ms);
            mems.push(mib);
            each = by_process;
        }
        let first = times[0];
        let mut warm = times[1..].to_vec();
        warm.sort_unstable();
        let mem = mems.iter().sum::<f64>() / mems.len() as f64;
        println!(
            "{name}: launch to first picture {first} ms cold, {} ms median warm (of {}), resident memory {mem:.0} MiB (app and WebKit processes)",
            warm[warm.len() / 2],
            warm.len()
        );
        let parts: Vec<String> = each.iter().map(|(c, m)| format!("{c} {m:.0}")).collect();
        println!("  by process, last run (MiB): {}", parts.join(", "));
    }
    std::fs::remove_dir_all(&scratch).ok();
}
