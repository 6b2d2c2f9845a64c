//! Commands never modify what is not theirs: the reading commands open the database read-only
//! (a mistyped path creates nothing, a read-only file and folder are read), and another
//! application's SQLite file is refused by every command without a byte of it changing.

use std::path::{Path, PathBuf};
use std::process::Command;
use warroom_tests::{Run, Scratch, binary};

const READERS: [&[&str]; 7] = [
    &["verify"],
    &["show"],
    &["log"],
    &["export", "--format", "json"],
    &["status", "--json"],
    &["report", "--format", "html"],
    &["run", "list"],
];

/// Every file in `dir`, with its bytes.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.clone(), std::fs::read(p).unwrap()))
        .collect();
    all.sort();
    all
}

#[test]
fn a_mistyped_path_is_an_error_and_nothing_is_created() {
    let s = Scratch::new();
    let typo = s.path("warrom").join("warroom.db");
    for args in READERS {
        let r = s.warroom_db(&typo, args);
        assert_eq!(r.code, Some(1), "{args:?}: {r:?}");
        assert!(r.stderr.contains("no such database") && r.stderr.contains("--db"), "{args:?}: {r:?}");
        assert!(!s.path("warrom").exists(), "{args:?} created the folder");
    }
}

#[test]
fn another_applications_sqlite_file_is_refused_unchanged_by_every_command() {
    let s = Scratch::new();
    let dir = s.path("other");
    std::fs::create_dir(&dir).unwrap();
    let file = dir.join("photos.sqlite");
    {
        let c = rusqlite::Connection::open(&file).unwrap();
        c.execute_batch(
            "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos (name) VALUES ('a.jpg');",
        )
        .unwrap();
    }
    let before = contents(&dir);
    let writers: [&[&str]; 5] = [
        &["import", "--demo"],
        &["me", "set", "Lan", "--role", "Tech Lead"],
        &["run", "start", "--live", "--date", "2026-01-31", "--tz", "UTC"],
        &["room", "create"],
        &["peers"],
    ];
    for args in READERS.iter().chain(&writers) {
        let r = s.warroom_db(&file, args);
        assert_eq!(r.code, Some(1), "{args:?}: {r:?}");
        assert!(r.stderr.contains("not a warroom database"), "{args:?}: {r:?}");
        assert_eq!(contents(&dir), before, "{args:?} changed the file or made others next to it");
    }
}

/// `warroom args…` on `db` as a user who cannot write it: under root (who may write anything),
/// as `nobody`.
fn as_reader(db: &Path, args: &[&str]) -> Run {
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut c = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(binary("warroom"));
        c
    } else {
        Command::new(binary("warroom"))
    };
    c.env("WARROOM_DB", db).env("HOME", "/nonexistent").args(args).output().unwrap().into()
}

#[test]
fn every_reading_command_works_on_a_read_only_file_in_a_read_only_folder() {
    use std::os::unix::fs::PermissionsExt as _;
    let s = Scratch::new();
    let made = s.path("made.db");
    for args in [
        &["import", "--demo"][..],
        &["run", "start", "--live", "--date", "2026-01-31", "--tz", "UTC"],
        &["task", "1.1", "start"],
    ] {
        let r = s.warroom_db(&made, args);
        assert!(r.ok(), "{args:?}: {r:?}");
    }
    let shelf = s.path("shelf");
    std::fs::create_dir(&shelf).unwrap();
    let db = shelf.join("handed-over.db");
    std::fs::copy(&made, &db).unwrap();
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    mode(s.dir.path(), 0o755);
    mode(&db, 0o444);
    mode(&shelf, 0o555);
    let before = contents(&shelf);
    // The reader is really refused a write: the defence is in warroom, not in who runs the test.
    let w = as_reader(&db, &["import", "--demo", "--replace", "--by", "Lan"]);
    assert_eq!(w.code, Some(1), "{w:?}");
    for args in READERS {
        let r = as_reader(&db, args);
        assert!(r.ok(), "{args:?}: {r:?}");
    }
    let log = as_reader(&db, &["log"]);
    assert!(log.stdout.contains("task."), "{}", log.stdout);
    assert_eq!(contents(&shelf), before);
    mode(&shelf, 0o755);
}

#[test]
fn a_warroom_database_made_before_the_application_id_is_still_read_and_then_marked() {
    let s = Scratch::new();
    s.ok(&["import", "--demo"]);
    let id = |p: &Path| -> i32 {
        rusqlite::Connection::open(p).unwrap().query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(id(&s.db()), warroom_core::store::APPLICATION_ID);
    rusqlite::Connection::open(s.db()).unwrap().pragma_update(None, "application_id", 0).unwrap();
    assert!(s.ok(&["show"]).contains("CHECKPOINT"));
    assert_eq!(id(&s.db()), 0, "a reading command wrote nothing");
    s.ok(&["me", "set", "Lan", "--role", "Tech Lead"]);
    assert_eq!(id(&s.db()), warroom_core::store::APPLICATION_ID);
}
