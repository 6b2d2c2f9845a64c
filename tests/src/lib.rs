//! Helpers for the cross-process tests: find the built binaries, run them in a scratch folder,
//! and read the fixtures.

pub mod dbus;
pub mod net;
pub mod web;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The folder of the test fixtures.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A built binary of this workspace, next to the running test's folder.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is not built; run scripts/test.sh, or `cargo build --bins` before `cargo test`",
        path.display()
    );
    path
}

/// The result of one `warroom` run.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Self {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// A scratch folder with a database, and a way to run `warroom` on it.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}")) }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("warroom.db")
    }

    /// Runs `warroom --db <scratch db> args…` in the scratch folder.
    pub fn warroom(&self, args: &[&str]) -> Run {
        self.warroom_db(&self.db(), args)
    }

    /// Runs `warroom args…`, which must succeed; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.warroom(args);
        assert!(r.ok(), "warroom {args:?}: {r:?}");
        r.stdout
    }

    /// The seed runbook imported, made a room by Lan (Tech Lead), with a live run started.
    pub fn live_room(&self) {
        let seed = fixtures().join("go-live-runbook.utf8.md");
        self.ok(&["import", &seed.to_string_lossy()]);
        self.ok(&["me", "set", "Lan", "--role", "Tech Lead"]);
        let made = self.ok(&["room", "create", "--name", "bridge laptop"]);
        assert!(made.contains("is now a room"), "{made}");
        self.ok(&["run", "start", "--live", "--date", "2026-01-31", "--tz", "Asia/Ho_Chi_Minh"]);
    }

    /// The certificate fingerprint of the laptop whose database is `db` (made on first use).
    pub fn fingerprint(&self, db: &Path) -> String {
        let r = self.warroom_db(db, &["peers"]);
        assert!(r.ok(), "{r:?}");
        let first = r.stdout.lines().next().and_then(|l| l.strip_prefix("this laptop  ")).map(str::trim);
        first.unwrap_or_else(|| panic!("no fingerprint in {:?}", r.stdout)).to_owned()
    }

    pub fn warroom_db(&self, db: &Path, args: &[&str]) -> Run {
        Command::new(binary("warroom"))
            .current_dir(self.dir.path())
            .env("WARROOM_DB", db)
            .env("USER", "tester")
            // Actions and imports need a person: scripts name one so.
            .env("WARROOM_ME", "tester")
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run warroom: {e}"))
            .into()
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

/// The repository's root folder.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A child process killed when dropped, so a failed test leaves nothing running.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        // It may have ended by itself already.
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// A free TCP port on 127.0.0.1 (for programs that cannot be told to pick one themselves).
///
/// It lies below the kernel's range for ephemeral ports: a port from that range can be taken by
/// any outgoing connection between now and when the program binds it, or binds it again after a
/// restart, and the program then fails to start.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const LOW: u32 = 10_000;
    const HIGH: u32 = 32_767;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let ephemeral = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| {
            let mut it = r.split_whitespace().map(str::parse::<u32>);
            Some((it.next()?.ok()?, it.next()?.ok()?))
        })
        .unwrap_or((32_768, 60_999));
    // Test processes running side by side start at different places.
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let seed = std::process::id().wrapping_mul(7_919).wrapping_add(nanos);
    for _ in 0..HIGH - LOW {
        let port = LOW + seed.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed)) % (HIGH - LOW);
        if (ephemeral.0..=ephemeral.1).contains(&port) {
            continue;
        }
        let port = u16::try_from(port).unwrap_or_else(|_| unreachable!("below {HIGH}"));
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port between {LOW} and {HIGH}");
}

/// Waits until something accepts connections on `port`.
pub fn wait_for_port(port: u16, what: &str) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{what} did not start listening on port {port}");
}

/// `warroom serve` on a scratch database, on a port of its own choosing.
pub struct Server {
    pub url: String,
    _child: Child,
}

impl Server {
    /// With the bundled demo imported first when the database holds no runbook (`--demo`).
    pub fn start(s: &Scratch, args: &[&str]) -> Self {
        Self::start_with(s, &[&["--demo"], args].concat())
    }

    /// As a person starting it: an empty database stays empty (the UI welcomes).
    pub fn start_with(s: &Scratch, args: &[&str]) -> Self {
        let ui = repo().join("ui").join("dist");
        assert!(ui.join("index.html").is_file(), "the UI is not built: run scripts/build-ui.sh");
        let mut serve = Command::new(binary("warroom"));
        serve.current_dir(s.dir.path()).env("WARROOM_DB", s.db()).arg("serve").arg("--ui").arg(&ui).args(args);
        let (child, url) = spawn_serve(serve, true);
        Self { url, _child: child }
    }
}

/// `warroom serve --demo --bind 127.0.0.1:0 args…` on `db`, once it serves; and its URL.
pub fn serve_db(db: &Path, args: &[&str]) -> (Child, String) {
    let mut serve = Command::new(binary("warroom"));
    serve.env("WARROOM_DB", db).arg("serve").arg("--demo").args(args);
    spawn_serve(serve, false)
}

/// `warroom serve --bind 127.0.0.1:0 args…` on `db` as a person starts it (no demo), with
/// `env` set; once it serves, and its URL.
pub fn serve_db_env(db: &Path, env: &[(&str, &str)], args: &[&str]) -> (Child, String) {
    let mut serve = Command::new(binary("warroom"));
    serve.env("WARROOM_DB", db).envs(env.iter().copied()).arg("serve").args(args);
    spawn_serve(serve, false)
}

/// `serve_db`, with the server allowed at most `nofile` open file descriptors (`prlimit`).
pub fn serve_db_with_nofile(db: &Path, nofile: u32, args: &[&str]) -> (Child, String) {
    let mut serve = Command::new("prlimit");
    serve.env("WARROOM_DB", db).arg(format!("--nofile={nofile}:{nofile}")).arg("--").arg(binary("warroom"));
    serve.arg("serve").arg("--demo").args(args);
    spawn_serve(serve, false)
}

/// Starts a `warroom serve` command on a port of the system's choosing and waits for the line
/// that says where it serves; if it stops instead, the panic says what it said. `echo` passes
/// its later complaints on to the test's output.
fn spawn_serve(mut serve: Command, echo: bool) -> (Child, String) {
    use std::io::{BufRead as _, Read as _};
    let mut child = serve
        .env("USER", "tester")
        .args(["--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start warroom serve: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let mut out = std::io::BufReader::new(stdout);
    let mut first = String::new();
    out.read_line(&mut first).ok();
    let Some(url) = first.trim().strip_prefix("warroom serving ").map(|u| u.trim_end_matches('/').to_owned()) else {
        child.kill().ok();
        let mut said = String::new();
        stderr.read_to_string(&mut said).ok();
        panic!("warroom serve did not start: first line {first:?}; it said: {said}");
    };
    // Keep reading, so the server never writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    std::thread::spawn(move || {
        if echo {
            std::io::copy(&mut stderr, &mut std::io::stderr())
        } else {
            std::io::copy(&mut stderr, &mut std::io::sink())
        }
    });
    (Child(child), url)
}

/// Held by the tests that start a browser or the desktop window, so they take turns: two
/// WebKit or Chromium instances starting at once on two cores make each other time out.
pub fn one_window_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Yesterday's date (UTC), `YYYY-MM-DD`: a day whose every instant is in the past.
pub fn yesterday() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    // Days since the epoch, minus one, as a civil date (Howard Hinnant's algorithm).
    let z = (secs / 86_400) as i64 - 1 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Runs a command-line tool the tests look with (poppler-utils) and returns what it printed.
pub fn tool(name: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (poppler-utils; scripts/setup.sh --test installs it): {e}"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of a PDF, as `pdftotext -raw` reads it back.
pub fn pdf_text(pdf: &Path) -> String {
    tool("pdftotext", &["-raw", &pdf.display().to_string(), "-"])
}
