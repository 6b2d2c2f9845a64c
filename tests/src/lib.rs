//! Helpers for the cross-process tests: find the built binaries, run them in a scratch folder,
//! and read the fixtures.

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

    pub fn warroom_db(&self, db: &Path, args: &[&str]) -> Run {
        Command::new(binary("warroom"))
            .current_dir(self.dir.path())
            .env("WARROOM_DB", db)
            .env("USER", "tester")
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
