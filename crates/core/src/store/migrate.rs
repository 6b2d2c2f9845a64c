//! Opening a database: creating its folder, the connection's settings, the schema migrations
//! from `migrations/` (refusing a database from a newer warroom), the laptop's keys and the
//! origin id they name, and noticing a file that was copied or restored, or opened without its
//! key (which then becomes a new laptop).

use super::local::set_local;
use super::readonly::{self, APPLICATION_ID, Kind};
use super::{Result, Store, StoreError, cache, cache_err, sql_err};
use crate::keys::{KeyStore, LaptopKeys};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::sync::Arc;

/// The schema, in order; `PRAGMA user_version` counts how many are applied.
pub(super) const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../../../migrations/0001_init.sql")),
    ("0002_signatures", include_str!("../../../../migrations/0002_signatures.sql")),
    ("0003_runbook_cache", include_str!("../../../../migrations/0003_runbook_cache.sql")),
    ("0004_cheap_cache_triggers", include_str!("../../../../migrations/0004_cheap_cache_triggers.sql")),
    ("0005_packed_runbook_cache", include_str!("../../../../migrations/0005_packed_runbook_cache.sql")),
];

/// The newest schema this build knows.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// How much of the file reads map instead of copying in a page at a time.
pub(super) const MMAP_BYTES: i64 = 256 * 1024 * 1024;

/// The page size of a new database. Twice SQLite's default: a large import splits half as many
/// B-tree pages and writes half as many (a 10,000-task import's fields went in about a fifth
/// faster in SQLite's own shell), while a live night's small commits still write few bytes.
pub(super) const PAGE_BYTES: i64 = 8192;

/// How much a connection caches of the database, in KiB: a large commit's pages all fit.
pub(super) const CACHE_KIB: i64 = 64 * 1024;

/// How long a connection waits for another's lock before saying the database is busy.
pub(super) const BUSY: std::time::Duration = std::time::Duration::from_secs(5);

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

/// The key store `Store::open` uses: the OS keyring with a private file as the fallback; in this
/// crate's own tests, memory.
pub(super) fn default_keys() -> Arc<dyn KeyStore> {
    #[cfg(test)]
    {
        static KEYS: std::sync::LazyLock<Arc<dyn KeyStore>> =
            std::sync::LazyLock::new(|| Arc::new(crate::keys::MemoryKeys::default()));
        KEYS.clone()
    }
    #[cfg(not(test))]
    {
        static KEYS: std::sync::LazyLock<Arc<dyn KeyStore>> =
            std::sync::LazyLock::new(|| Arc::new(crate::keys::SystemKeys::os()));
        KEYS.clone()
    }
}

/// Local settings a new laptop does not inherit from the database it was copied from.
const NOT_INHERITED: &str = "DELETE FROM local WHERE key IN ('sync.cert', 'sync.key', 'notify.ledger')";

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date, with
    /// this laptop's keys from the OS keyring (or their private file).
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with_keys(path, default_keys())
    }

    /// `open`, with the keys kept in `keys`.
    pub fn open_with_keys(path: &Path, keys: Arc<dyn KeyStore>) -> Result<Self> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io { path: shown.clone(), source })?;
        }
        let conn = Connection::open(path).map_err(sql_err(&shown))?;
        Self::init(conn, shown, Some(path), Some(keys))
    }

    /// Opens another laptop's database to exchange events with it (`sync file`): without keys, so
    /// it can take events but never write as anyone, and it is never made a new laptop.
    pub fn open_unkeyed(path: &Path) -> Result<Self> {
        let shown = path.display().to_string();
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql_err(&shown))?;
        Self::init(conn, shown, Some(path), None)
    }

    /// A private database in memory, for tests and previews.
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(sql_err(":memory:"))?;
        Self::init(conn, ":memory:".into(), None, Some(Arc::new(crate::keys::MemoryKeys::default())))
    }

    pub(super) fn init(
        mut conn: Connection,
        path: String,
        file: Option<&Path>,
        key_store: Option<Arc<dyn KeyStore>>,
    ) -> Result<Self> {
        let shown = path.clone();
        let e = sql_err(&shown);
        conn.busy_timeout(BUSY).map_err(&e)?;
        // Before the first write (WAL mode changes the header): another application's file is
        // left exactly as it was.
        let kind = readonly::refuse_foreign(&conn, &path)?;
        if kind == Kind::Empty {
            // Only a file with no page yet takes it (SQLite ignores it once the file is made).
            conn.pragma_update(None, "page_size", PAGE_BYTES).map_err(&e)?;
        }
        conn.pragma_update(None, "journal_mode", "WAL").map_err(&e)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(&e)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(&e)?;
        // A large import must not spill pages mid-transaction.
        conn.pragma_update(None, "cache_size", -CACHE_KIB).map_err(&e)?;
        // Reads map the file instead of copying it in a page at a time: reading a 10,000-task
        // run's state is one of the costs of every `warroom status`. Writes still go through
        // the WAL as before.
        conn.pragma_update(None, "mmap_size", MMAP_BYTES).map_err(&e)?;
        // A new file is stamped as warroom's in the transaction that gives it its schema.
        migrate(&mut conn, &path, kind != Kind::Ours)?;
        let origin: Option<String> =
            conn.query_row("SELECT value FROM local WHERE key = 'origin'", [], |r| r.get(0)).optional().map_err(&e)?;
        let mut store = Self { conn, path, origin: origin.unwrap_or_default(), keys: None, key_store, generation: 0 };
        let Some(ks) = store.key_store.clone() else { return Ok(store) };
        let here = file.and_then(file_id);
        if store.origin.is_empty() {
            return store.become_new_laptop(ks.as_ref(), here.as_deref(), false);
        }
        let copied = match here {
            Some(here) => {
                let known = store.local(FILE)?;
                if known.is_none() {
                    store.set_local(FILE, &here)?;
                }
                known.is_some_and(|f| f != here).then_some(here)
            }
            None => None,
        };
        let public = store.local(PUBLIC)?;
        if let Some(here) = copied {
            tracing::info!(path = %store.path, "a copied or restored database: a new laptop from now on");
            return store.become_new_laptop(ks.as_ref(), Some(&here), true);
        }
        let kept = ks.load(&store.origin).map_err(|source| StoreError::Key { path: store.path.clone(), source })?;
        match (kept, public) {
            (Some(k), Some(p)) if k.public_hex() == p => {
                store.keys = Some(k);
                Ok(store)
            }
            (None, None) => store.sign_unsigned_history(ks.as_ref()),
            // Opened without its key (handed over, or moved to another machine): whoever opens
            // it cannot write as the laptop that made it, so it becomes a laptop of its own.
            _ => {
                tracing::info!(path = %store.path, "this database's key is not on this machine: a new laptop from now on");
                store.become_new_laptop(ks.as_ref(), None, true)
            }
        }
    }

    /// New keys and the origin id they name; what was this database's own (its certificate, the
    /// notifications it showed) is left behind.
    fn become_new_laptop(mut self, ks: &dyn KeyStore, file: Option<&str>, forget: bool) -> Result<Self> {
        let keys = LaptopKeys::generate().map_err(|source| StoreError::Key { path: self.path.clone(), source })?;
        let public = keys.public_hex();
        let origin = crate::keys::origin_of(&public);
        ks.save(&origin, &keys).map_err(|source| StoreError::Key { path: self.path.clone(), source })?;
        let path = self.path.clone();
        let e = sql_err(&path);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
        if forget {
            tx.execute(NOT_INHERITED, []).map_err(&e)?;
        }
        set_local(&tx, "origin", &origin).map_err(&e)?;
        set_local(&tx, PUBLIC, &public).map_err(&e)?;
        if let Some(here) = file {
            set_local(&tx, FILE, here).map_err(&e)?;
        }
        tx.commit().map_err(&e)?;
        self.origin = origin;
        self.keys = Some(keys);
        Ok(self)
    }

    /// A database from before events were signed: its laptop gets a key under its old origin id,
    /// signs the events it wrote (their hashes, and so the chain, stay as they were), and its
    /// sync certificate's key moves out of the database into the key store.
    fn sign_unsigned_history(mut self, ks: &dyn KeyStore) -> Result<Self> {
        let mut keys = LaptopKeys::generate().map_err(|source| StoreError::Key { path: self.path.clone(), source })?;
        keys.tls = self.local("sync.key")?;
        ks.save(&self.origin, &keys).map_err(|source| StoreError::Key { path: self.path.clone(), source })?;
        let public = keys.public_hex();
        let path = self.path.clone();
        let e = sql_err(&path);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
        {
            let mut read = tx.prepare("SELECT seq, hash FROM events WHERE origin = ?1 AND sig = ''").map_err(&e)?;
            let unsigned = read
                .query_map([&self.origin], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?)))
                .map_err(&e)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(&e)?;
            let mut sign =
                tx.prepare("UPDATE events SET key = ?1, sig = ?2 WHERE origin = ?3 AND seq = ?4").map_err(&e)?;
            for (seq, hash) in unsigned {
                sign.execute(rusqlite::params![public, keys.sign_hash(&hash), self.origin, seq]).map_err(&e)?;
            }
        }
        tx.execute("DELETE FROM local WHERE key = 'sync.key'", []).map_err(&e)?;
        set_local(&tx, PUBLIC, &public).map_err(&e)?;
        tx.commit().map_err(&e)?;
        tracing::info!(path = %self.path, "events written before signing are now signed by this laptop's key");
        self.keys = Some(keys);
        Ok(self)
    }

    /// Keeps the sync certificate's private key (PKCS#8, hex) with this laptop's other keys.
    pub(crate) fn keep_tls_key(&mut self, der_hex: &str) -> Result<()> {
        let (Some(keys), Some(ks)) = (self.keys.as_mut(), self.key_store.as_ref()) else {
            return Err(StoreError::NoKey { path: self.path.clone() });
        };
        keys.tls = Some(der_hex.to_owned());
        ks.save(&self.origin, keys).map_err(|source| StoreError::Key { path: self.path.clone(), source })
    }
}

/// Local setting: this laptop's public signing key, to notice a database opened without its key.
const PUBLIC: &str = "key.public";

/// Brings the schema up to date in one transaction, counting in `user_version`: a migration
/// that fails leaves the database as it was, and a new database is made in one commit, not one
/// for each migration. `stamp` also marks the file as warroom's (`application_id`).
// Not rusqlite_migration, which does the same: its newest release (2.6.0) is built on rusqlite
// 0.40, and two rusqlite versions cannot link two bundled SQLites into one binary (`links =
// "sqlite3"`). Holding the store three rusqlite releases back for these twenty lines is not worth
// it; store/tests.rs holds this runner to its rules (applied in order to a fresh database, a
// newer database refused).
fn migrate(conn: &mut Connection, path: &str, stamp: bool) -> Result<()> {
    let e = sql_err(path);
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(&e)?;
    let applied = usize::try_from(version).unwrap_or(usize::MAX);
    if applied > MIGRATIONS.len() {
        return Err(StoreError::TooNew { path: path.into(), found: version, supported: MIGRATIONS.len() });
    }
    if applied == MIGRATIONS.len() && !stamp {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
    for (name, sql) in MIGRATIONS.iter().skip(applied) {
        tx.execute_batch(sql).map_err(|err| match sql_err(path)(err) {
            StoreError::Sqlite { path, source } => {
                StoreError::Corrupt { path, detail: format!("migration {name}: {source}") }
            }
            other => other,
        })?;
    }
    if applied < MIGRATIONS.len() {
        tx.pragma_update(None, "user_version", i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)).map_err(&e)?;
        // A database from before the runbook's cache gets it at once, not at its next write.
        cache::refresh(&tx).map_err(cache_err(path))?;
    }
    if stamp {
        tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(&e)?;
    }
    tx.commit().map_err(&e)?;
    Ok(())
}
