//! How a commit reaches the file: through the WAL, as every database is kept, or, for a new
//! database's first large event (its import), straight into the file under a rollback journal.
//!
//! In WAL mode a large commit is written twice: its pages into the WAL, then, by the checkpoint
//! that a WAL past a thousand pages sets off, into the database file. A new database has almost
//! no pages yet, so a rollback journal has almost nothing to keep and each page of the import is
//! written once, with the same durability (`synchronous = FULL`: the journal, then the file, are
//! flushed before the commit returns). Leaving WAL mode needs the file to have no other open
//! connection: when another process has it open, the commit goes through the WAL as always.
//!
//! Written straight into the file, the commit also needs no cache of all its pages: finished
//! pages go to the file as the transaction fills the cache, and their memory is used again.
//! Fresh memory is not free (the kernel zeroes each page, and on a virtual machine the host may
//! have to provide it), and all 10 MB of a 10,000-task import's pages cost more than writing
//! them as they are done.

use super::migrate::{BUSY, CACHE_KIB};

/// The cache while writing straight into the file, in KiB: the B-trees' paths and the pages
/// being filled.
const DIRECT_CACHE_KIB: i64 = 2 * 1024;
use rusqlite::{Connection, ErrorCode};

/// Whether the event about to be committed is written straight into the file: only for a large
/// one into a database that holds no event yet, and only when this connection could leave WAL
/// mode without waiting (no other connection has the file open). If so, the caller must call
/// `back_to_wal` once the transaction is over, committed or not.
pub(super) fn write_direct(conn: &Connection) -> rusqlite::Result<bool> {
    let empty: bool = conn.prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM events)")?.query_row([], |r| r.get(0))?;
    if !empty || conn.path().is_none_or(str::is_empty) {
        return Ok(false);
    }
    // Another connection's lock means it has the file open: go through the WAL, without waiting.
    conn.busy_timeout(std::time::Duration::ZERO)?;
    let mode = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0));
    conn.busy_timeout(BUSY)?;
    match mode {
        Ok(mode) if mode.eq_ignore_ascii_case("delete") => {
            match conn.pragma_update(None, "cache_size", -DIRECT_CACHE_KIB) {
                Ok(()) => Ok(true),
                Err(e) => {
                    back_to_wal(conn, conn.path().unwrap_or_default());
                    Err(e)
                }
            }
        }
        Ok(_) => Ok(false),
        Err(e) if matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)) => {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Puts the file back in WAL mode after `write_direct`. Failing that (another process began
/// to read the new file in the meantime and holds it past the busy timeout), the file stays in
/// rollback-journal mode, which loses nothing, until the next connection opens it in WAL mode.
pub(super) fn back_to_wal(conn: &Connection, path: &str) {
    if let Err(error) = conn.pragma_update(None, "cache_size", -CACHE_KIB) {
        tracing::warn!(path, %error, "the database's cache could not be set back to its size");
    }
    match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
        Ok(mode) if mode.eq_ignore_ascii_case("wal") => {}
        Ok(mode) => tracing::warn!(path, mode, "the database stays in this journal mode until it is opened again"),
        Err(error) => {
            tracing::warn!(path, %error, "the database could not go back to WAL mode until it is opened again")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Store, StoreError};
    use crate::test_support::{clock, lan};
    use std::path::PathBuf;

    /// A new database file in a folder of its own, and a runbook large enough for an import of
    /// many writes (more than `BULK_WRITES`).
    fn new_store(name: &str) -> (tempfile::TempDir, PathBuf, Store, crate::import::Imported) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let store = Store::open(&path).unwrap();
        let big = crate::import::import_markdown("big.md", crate::demo::synthetic_markdown(400).as_bytes()).unwrap();
        (dir, path, store, big)
    }

    fn mode(s: &Store) -> String {
        s.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap()
    }

    fn sidecars(path: &std::path::Path) -> Vec<String> {
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut found: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.starts_with(&name) && *f != name)
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_new_databases_import_is_written_once_and_the_file_is_back_in_wal_mode() {
        let (dir, path, mut s, imported) = new_store("new.db");
        let ev = s.import(&imported, &lan(), false, &clock()).unwrap();
        assert!(ev.writes.len() > super::super::log::BULK_WRITES, "a large event: {}", ev.writes.len());
        assert_eq!(mode(&s), "wal", "the connection is back in WAL mode");
        let cache: i64 = s.conn.query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap();
        assert_eq!(cache, -super::CACHE_KIB, "and its cache back to its size");
        assert!(!sidecars(&path).iter().any(|f| f.ends_with("-journal")), "no journal left: {:?}", sidecars(&path));
        // Written straight into the file: another process reads it all without the WAL.
        let wal = dir.path().join("new.db-wal");
        let in_wal = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert!(in_wal < 64 * 1024, "the import's pages went into the file, not the WAL ({in_wal} bytes)");
        let other = Store::open_read(&path).unwrap();
        assert_eq!(other.runbook().unwrap().as_ref(), Some(&imported.runbook));
        assert_eq!(other.runbook_from_fields().unwrap().as_ref(), Some(&imported.runbook));
        assert_eq!(other.events().unwrap(), vec![ev]);
        assert!(!other.is_demo().unwrap());
        drop((s, other));
        let again = Store::open(&path).unwrap();
        assert_eq!(mode(&again), "wal");
        assert_eq!(again.integrity_check().unwrap(), "ok");
        assert!(again.verify().unwrap().intact());
    }

    #[test]
    fn with_another_connection_open_the_import_goes_through_the_wal() {
        let (dir, path, mut s, imported) = new_store("shared.db");
        // The desktop app or `warroom serve` holding the file open, idle.
        let reader = Store::open_read(&path).unwrap();
        assert_eq!(reader.runbook().unwrap(), None);
        s.import(&imported, &lan(), false, &clock()).unwrap();
        assert_eq!(mode(&s), "wal");
        let in_wal = std::fs::metadata(dir.path().join("shared.db-wal")).unwrap().len();
        assert!(in_wal > 64 * 1024, "written through the WAL ({in_wal} bytes)");
        assert_eq!(reader.runbook().unwrap().as_ref(), Some(&imported.runbook), "the open reader sees the import");
    }

    #[test]
    fn a_direct_write_that_fails_leaves_the_new_database_as_it_was() {
        let (_dir, path, mut s, imported) = new_store("fails.db");
        // A write that fails halfway through the fields, as a full disk would.
        s.conn
            .execute_batch(
                "CREATE TRIGGER halfway BEFORE INSERT ON fields WHEN NEW.entity = 'task' AND NEW.id = '3.1'
                 BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
            )
            .unwrap();
        let err = s.import(&imported, &lan(), false, &clock()).unwrap_err();
        assert!(matches!(err, StoreError::Sqlite { .. }), "{err}");
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(mode(&s), "wal");
        assert!(!sidecars(&path).iter().any(|f| f.ends_with("-journal")), "{:?}", sidecars(&path));
        assert_eq!(s.events().unwrap(), vec![]);
        assert_eq!(s.runbook().unwrap(), None);
        let fields: i64 = s.conn.query_row("SELECT count(*) FROM fields", [], |r| r.get(0)).unwrap();
        assert_eq!(fields, 0, "no field of the failed import is left");
        s.conn.execute_batch("DROP TRIGGER halfway").unwrap();
        let ev = s.import(&imported, &lan(), false, &clock()).unwrap();
        assert_eq!(ev.seq, 1, "the next import is the first event");
        assert_eq!(Store::open_read(&path).unwrap().runbook().unwrap().as_ref(), Some(&imported.runbook));
    }

    #[test]
    fn a_database_with_history_keeps_writing_through_the_wal() {
        let (_dir, _path, mut s, imported) = new_store("history.db");
        s.import(&imported, &lan(), false, &clock()).unwrap();
        assert!(!super::write_direct(&s.conn).unwrap(), "a database that holds events is not written directly");
        assert_eq!(mode(&s), "wal");
        let memory = Store::open_in_memory().unwrap();
        assert!(!super::write_direct(&memory.conn).unwrap(), "nor one in memory");
    }
}
