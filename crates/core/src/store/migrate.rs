//! Opening a database: creating its folder, the connection's settings, the schema migrations
//! from `migrations/` (refusing a database from a newer warroom), the origin id, and noticing a
//! file that was copied or restored (which then takes a new origin id).

use super::local::set_local;
use super::{Result, Store, StoreError, cache, cache_err, sql_err};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The schema, in order; `PRAGMA user_version` counts how many are applied.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../../../migrations/0001_init.sql")),
    ("0002_runbook_cache", include_str!("../../../../migrations/0002_runbook_cache.sql")),
];

/// The newest schema this build knows.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Local setting: which file this database is (device and inode), to notice a copy.
const FILE: &str = "file";

#[cfg(unix)]
fn file_id(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some(format!("{}:{}", m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_path: &Path) -> Option<String> {
    None
}

/// 64 random bits: ample to tell apart the laptops of one room, and half the bytes of every
/// stored field version.
fn new_origin() -> String {
    let mut b = [0u8; 8];
    // Without OS randomness, fall back to time and process id; still unique per database.
    if getrandom::fill(&mut b).is_err() {
        let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
        b.copy_from_slice(&Sha256::digest(seed.as_bytes())[..8]);
    }
    hex::encode(b)
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io { path: shown.clone(), source })?;
        }
        let conn = Connection::open(path).map_err(sql_err(&shown))?;
        let mut store = Self::init(conn, shown)?;
        store.claim_file(path)?;
        Ok(store)
    }

    /// A database file copied to another place or restored from a backup is a new laptop's
    /// history from then on: it takes a new origin id (and loses the old sync certificate and
    /// the notifications shown) so that the two never write the same (origin, sequence).
    fn claim_file(&mut self, path: &Path) -> Result<()> {
        let Some(here) = file_id(path) else { return Ok(()) };
        match self.local(FILE)? {
            Some(f) if f == here => Ok(()),
            None => self.set_local(FILE, &here),
            Some(_) => {
                let origin = new_origin();
                let e = sql_err(&self.path);
                let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
                tx.execute("DELETE FROM local WHERE key IN ('sync.cert', 'sync.key', 'notify.ledger')", [])
                    .map_err(&e)?;
                set_local(&tx, "origin", &origin).map_err(&e)?;
                set_local(&tx, FILE, &here).map_err(&e)?;
                tx.commit().map_err(&e)?;
                tracing::info!(path = %self.path, %origin, "a copied or restored database: new origin id");
                self.origin = origin;
                Ok(())
            }
        }
    }

    /// A private database in memory, for tests and previews.
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(sql_err(":memory:"))?;
        Self::init(conn, ":memory:".into())
    }

    pub(super) fn init(mut conn: Connection, path: String) -> Result<Self> {
        let shown = path.clone();
        let e = sql_err(&shown);
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(&e)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(&e)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(&e)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(&e)?;
        // A large import must not spill pages mid-transaction.
        conn.pragma_update(None, "cache_size", -65_536).map_err(&e)?;
        // Reads map the file instead of copying it in a page at a time: reading a 10,000-task
        // run's state is one of the costs of every `warroom status`. Writes still go through
        // the WAL as before.
        conn.pragma_update(None, "mmap_size", 256 * 1024 * 1024).map_err(&e)?;
        migrate(&mut conn, &path)?;
        let origin: Option<String> =
            conn.query_row("SELECT value FROM local WHERE key = 'origin'", [], |r| r.get(0)).optional().map_err(&e)?;
        let origin = match origin {
            Some(o) => o,
            None => {
                let o = new_origin();
                conn.execute("INSERT INTO local (key, value) VALUES ('origin', ?1)", [&o]).map_err(&e)?;
                o
            }
        };
        Ok(Self { conn, path, origin, generation: 0 })
    }
}

/// Brings the schema up to date, one migration per transaction, counting in `user_version`.
// Not rusqlite_migration, which does the same: its newest release (2.6.0) is built on rusqlite
// 0.40, and two rusqlite versions cannot link two bundled SQLites into one binary (`links =
// "sqlite3"`). Holding the store three rusqlite releases back for these twenty lines is not worth
// it; store/tests.rs holds this runner to its rules (applied in order to a fresh database, a
// newer database refused).
fn migrate(conn: &mut Connection, path: &str) -> Result<()> {
    let e = sql_err(path);
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(&e)?;
    let applied = usize::try_from(version).unwrap_or(usize::MAX);
    if applied > MIGRATIONS.len() {
        return Err(StoreError::TooNew { path: path.into(), found: version, supported: MIGRATIONS.len() });
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
        tx.execute_batch(sql).map_err(|err| match sql_err(path)(err) {
            StoreError::Sqlite { path, source } => {
                StoreError::Corrupt { path, detail: format!("migration {name}: {source}") }
            }
            other => other,
        })?;
        tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX)).map_err(&e)?;
        tx.commit().map_err(&e)?;
    }
    if applied < MIGRATIONS.len() {
        // A database from before the runbook's cache gets it at once, not at its next write.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
        cache::refresh(&tx).map_err(cache_err(path))?;
        tx.commit().map_err(&e)?;
    }
    Ok(())
}
