//! The SQLite store: schema from `migrations/`, one write path that appends an event (per-device
//! sequence, hybrid logical clock, author, hash chain) in the same transaction as the merged
//! state it changes, idempotent application of other devices' events, and the queries the
//! shells need. Nothing is acknowledged before its transaction commits.

mod cache;
mod flat;
mod journal;
mod local;
mod log;
mod migrate;
mod readonly;
pub mod records;
pub mod state;
mod trust;
pub mod verify;
pub mod witness;

use crate::clock::Clock;
use crate::import::Imported;
pub use local::{default_path, make_default};
pub use log::{Applied, event_hash};
pub use migrate::SCHEMA_VERSION;
pub use readonly::APPLICATION_ID;
use rusqlite::{Connection, ErrorCode, TransactionBehavior, params};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use state::{FieldKey, State, Versioned};
use std::collections::BTreeMap;
pub use trust::{HLC_MS_LIMIT, MAX_SKEW_HOURS, RefusedEvent};
use warroom_model::{Author, Event, Runbook};

/// Why the store could not do what was asked, with the database file it is about.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database was made by a newer warroom: its schema is past this one's.
    #[error(
        "{path}: this database was written by a newer warroom (schema {found}; this one knows up to {supported}); update warroom to open it"
    )]
    TooNew {
        /// The database file.
        path: String,
        /// Its schema version (`PRAGMA user_version`).
        found: i64,
        /// The newest schema this warroom knows.
        supported: usize,
    },
    /// An older warroom's database, opened to read only: its schema cannot be brought up to
    /// date without writing.
    #[error(
        "{path}: this database has an older schema ({found}); open it once with a command that writes (or the app) to update it"
    )]
    TooOld {
        /// The database file.
        path: String,
        /// Its schema version (`PRAGMA user_version`).
        found: i64,
    },
    /// No database at the path given to a command that only reads.
    #[error("{path}: no such database yet (if you meant another one, choose it with --db). {BEGIN}")]
    Missing {
        /// The path given.
        path: String,
    },
    /// A SQLite file of another application (without warroom's `application_id`): refused
    /// before anything is written to it.
    #[error("{path}: not a warroom database (another application's file); nothing was changed in it")]
    Foreign {
        /// The file.
        path: String,
    },
    /// The database file or its folder cannot be written.
    #[error("{path}: the database is read-only; check the file's permissions or choose another with --db")]
    ReadOnly {
        /// The database file.
        path: String,
    },
    /// The file is not a warroom database, or SQLite finds it damaged.
    #[error(
        "{path}: not a warroom database, or it is damaged ({detail}); restore it from a backup or choose another with --db"
    )]
    Corrupt {
        /// The database file.
        path: String,
        /// What SQLite said (or which migration failed).
        detail: String,
    },
    /// The disk is full; the transaction was rolled back.
    #[error("{path}: the disk is full; nothing was written")]
    DiskFull {
        /// The database file.
        path: String,
    },
    /// Any other SQLite failure.
    #[error("{path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The database's folder could not be created.
    #[error("{path}: cannot create its folder: {source}")]
    Io {
        /// The database file.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A stored entity's fields do not make the record they should (a bug, or a hand edit).
    #[error("{0}")]
    Record(#[from] records::RecordError),
    /// Nothing imported into this database yet.
    #[error("no runbook in {path} yet. {BEGIN}")]
    NoRunbook {
        /// The database file.
        path: String,
    },
    /// An import without `replace` into a database that holds a runbook.
    #[error("{path} already holds the runbook `{title}`; use --replace to import over it (the change is logged)")]
    HasRunbook {
        /// The database file.
        path: String,
        /// The title of the runbook it holds.
        title: String,
    },
    /// An event from another laptop whose content does not match its hash: changed after it was
    /// made.
    #[error("event {origin}:{seq} does not match its hash; it was changed after it was made")]
    BadHash {
        /// The laptop (origin id) that made it.
        origin: String,
        /// Its sequence number on that laptop.
        seq: u64,
    },
    /// Another laptop sent an event this one holds with other content: two databases share an
    /// origin.
    #[error(
        "event {origin}:{seq} arrived with a different content than the one stored (hash {stored} here, {got} received): two databases share an origin id"
    )]
    Conflict {
        /// The origin id both claim.
        origin: String,
        /// The sequence number.
        seq: u64,
        /// The hash of the event held here (hex).
        stored: String,
        /// The hash of the event received (hex).
        got: String,
    },
    /// A stored value that is not the JSON it should be.
    #[error("the event log has a stored value that does not parse: {0}")]
    Json(#[from] serde_json::Error),
    /// This laptop's private key could not be read or kept.
    #[error("{path}: {source}")]
    Key {
        /// The database file.
        path: String,
        /// What went wrong with the key.
        #[source]
        source: crate::keys::KeyError,
    },
    /// A write to a database opened without its laptop's key (to read or to verify).
    #[error("{path}: opened to read only, without this laptop's key; nothing was written")]
    NoKey {
        /// The database file.
        path: String,
    },
    /// This laptop's clock cannot make a timestamp after the newest one it holds.
    #[error("{path}: the log's clock is at its limit ({hlc}); nothing was written")]
    ClockExhausted {
        /// The database file.
        path: String,
        /// The hybrid logical clock value held.
        hlc: u64,
    },
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A warroom database.
pub struct Store {
    conn: Connection,
    path: String,
    origin: String,
    /// This laptop's private keys; `None` when the database was opened without them (to read).
    keys: Option<crate::keys::LaptopKeys>,
    /// Where `keys` are kept, to keep them again when the sync certificate's key is added.
    key_store: Option<std::sync::Arc<dyn crate::keys::KeyStore>>,
    /// Transactions this connection committed to the log or the merged state.
    generation: u64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).field("origin", &self.origin).finish()
    }
}

/// `sql_err` for the cache's errors: SQLite's by what they say, the rest as they are.
fn cache_err(path: &str) -> impl Fn(cache::CacheError) -> StoreError + '_ {
    move |e| match e {
        cache::CacheError::Sqlite(e) => sql_err(path)(e),
        cache::CacheError::Json(e) => StoreError::Json(e),
        cache::CacheError::Record(e) => StoreError::Record(e),
        e @ cache::CacheError::Unpack(_) => StoreError::Corrupt { path: path.to_owned(), detail: e.to_string() },
    }
}

fn sql_err(path: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| {
        let path = path.to_owned();
        match e.sqlite_error_code() {
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path },
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                StoreError::Corrupt { path, detail: e.to_string() }
            }
            Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
            _ => StoreError::Sqlite { path, source: e },
        }
    }
}

impl StoreError {
    /// The error as the UI receives it.
    pub fn to_api(&self) -> warroom_model::ApiError {
        use warroom_model::{ApiError, ErrorKind};
        let kind = match self {
            Self::NoRunbook { .. } => ErrorKind::NotFound,
            Self::HasRunbook { .. } | Self::BadHash { .. } | Self::Conflict { .. } => ErrorKind::Invalid,
            Self::TooNew { .. }
            | Self::TooOld { .. }
            | Self::Missing { .. }
            | Self::Foreign { .. }
            | Self::ReadOnly { .. }
            | Self::Corrupt { .. }
            | Self::DiskFull { .. }
            | Self::Io { .. }
            | Self::Key { .. }
            | Self::NoKey { .. } => ErrorKind::Storage,
            Self::Sqlite { .. } | Self::Record(_) | Self::Json(_) | Self::ClockExhausted { .. } => ErrorKind::Internal,
        };
        ApiError::new(kind, self.to_string())
    }
}

/// Replaces the merged state (`fields`, `members`) with `state`, in the caller's transaction.
pub(super) fn write_state(conn: &Connection, state: &State) -> rusqlite::Result<()> {
    conn.execute_batch("DELETE FROM fields; DELETE FROM members;")?;
    let mut f =
        conn.prepare("INSERT INTO fields (entity, id, field, value, hlc, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
    for ((entity, id, field), v) in &state.fields {
        f.execute(params![entity, id, field, v.value.to_string(), v.hlc, v.origin])?;
    }
    let mut m = conn.prepare(
        "INSERT INTO members (entity, id, field, member, value, hlc, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for ((entity, id, field, member), v) in &state.members {
        m.execute(params![entity, id, field, member, v.value.to_string(), v.hlc, v.origin])?;
    }
    Ok(())
}

/// The three ways to begin, said wherever warroom finds no runbook: the command's words for
/// the Welcome screen's three choices.
pub const BEGIN: &str = "To begin, either:
  warroom import FILE      import your runbook (Markdown, JSON, CSV, XLSX or ODS)
  warroom import --demo    open the demo to look around
  warroom room join CODE   join a room with the code another laptop shows";

/// Local key that marks the runbook as the bundled demo, until another is imported.
pub const DEMO_KEY: &str = "demo";

impl Store {
    /// Imports the bundled demo runbook when the database has none; says whether it did.
    pub fn ensure_demo(&mut self, author: &Author, clock: &dyn Clock) -> Result<bool> {
        if self.has_runbook()? {
            return Ok(false);
        }
        self.import_demo(author, clock)?;
        Ok(true)
    }

    /// Imports the bundled demo runbook into a database that holds none, marked as the demo;
    /// the event that recorded it.
    pub fn import_demo(&mut self, author: &Author, clock: &dyn Clock) -> Result<Event> {
        let demo = crate::demo::runbook()
            .map_err(|e| StoreError::Corrupt { path: self.path.clone(), detail: format!("bundled demo: {e}") })?;
        let ev = self.import(&demo, author, false, clock)?;
        self.mark_demo()?;
        Ok(ev)
    }

    /// Records that the runbook just imported is the bundled demo: the UI marks every screen
    /// DEMO until another runbook is imported (which clears it), also across restarts.
    pub fn mark_demo(&mut self) -> Result<()> {
        self.set_local(DEMO_KEY, "1")
    }

    /// Whether the database holds a runbook yet, without reading it.
    pub fn has_runbook(&self) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM fields WHERE entity = ?1 AND id = ?2)")
            .and_then(|mut q| q.query_row([records::RUNBOOK, records::MAIN], |r| r.get(0)))
            .map_err(self.err())
    }

    /// Whether the runbook is the bundled demo.
    pub fn is_demo(&self) -> Result<bool> {
        Ok(self.local(DEMO_KEY)?.as_deref() == Some("1"))
    }

    /// The database file's path, as opened (for messages).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// This database's origin id.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// This laptop's public signing key (hex), if the database was opened with its keys.
    pub fn public_key(&self) -> Option<String> {
        self.keys.as_ref().map(crate::keys::LaptopKeys::public_hex)
    }

    /// This laptop's private keys, for making its sync certificate.
    pub(crate) fn laptop_keys(&self) -> Result<&crate::keys::LaptopKeys> {
        self.keys.as_ref().ok_or_else(|| StoreError::NoKey { path: self.path.clone() })
    }

    /// A number that moves with every transaction this connection commits to the event log
    /// or the merged state: whoever keeps state read from the store can tell whether it missed
    /// one of this process's writes (`data_version` tells of other processes').
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        sql_err(&self.path)
    }

    /// The current value of every field.
    pub fn field_values(&self) -> Result<BTreeMap<FieldKey, Value>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT entity, id, field, value FROM fields ORDER BY entity, id, field")
            .map_err(self.err())?;
        let mut rows = stmt.query([]).map_err(self.err())?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(self.err())? {
            let key = (r.get(0).map_err(self.err())?, r.get(1).map_err(self.err())?, r.get(2).map_err(self.err())?);
            out.push((key, self.json_at(r, 3)?));
        }
        // Built from rows in key order: no search per row.
        Ok(out.into_iter().collect())
    }

    /// The current fields of every entity of one kind, keyed by (id, field).
    pub fn entity_values(&self, entity: &str) -> Result<BTreeMap<(String, String), Value>> {
        let mut stmt =
            self.conn.prepare("SELECT id, field, value FROM fields WHERE entity = ?1").map_err(self.err())?;
        let rows =
            stmt.query_map([entity], |r| Ok(((r.get(0)?, r.get(1)?), r.get::<_, String>(2)?))).map_err(self.err())?;
        let mut out = BTreeMap::new();
        for r in rows {
            let (k, v) = r.map_err(self.err())?;
            out.insert(k, serde_json::from_str(&v)?);
        }
        Ok(out)
    }

    /// The current fields of every entity of one kind with the version that set each, keyed by
    /// (id, field).
    pub fn entity_versions(&self, entity: &str) -> Result<BTreeMap<(String, String), Versioned>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, field, value, hlc, origin FROM fields WHERE entity = ?1 ORDER BY id, field")
            .map_err(self.err())?;
        let mut rows = stmt.query([entity]).map_err(self.err())?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(self.err())? {
            let key = (r.get(0).map_err(self.err())?, r.get(1).map_err(self.err())?);
            out.push((key, self.versioned_at(r, 2)?));
        }
        Ok(out.into_iter().collect())
    }

    /// Where the fields of one kind of entity stand: how many there are and the newest version
    /// among them. Any change of one of them (a write wins only with a newer version) or a new
    /// one moves it; changes of other entities do not.
    pub fn entity_stamp(&self, entity: &str) -> Result<(u64, u64)> {
        self.conn
            .prepare_cached("SELECT count(*), coalesce(max(hlc), 0) FROM fields WHERE entity = ?1")
            .and_then(|mut s| s.query_row([entity], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(self.err())
    }

    /// A digest of the merged state (every field and set member as stored): two laptops that
    /// hold the same events have the same one.
    pub fn state_hash(&self) -> Result<String> {
        let mut h = Sha256::new();
        for sql in [
            "SELECT entity, id, field, value, hlc, origin FROM fields ORDER BY entity, id, field",
            "SELECT entity, id, field, member || char(31) || value, hlc, origin FROM members \
             ORDER BY entity, id, field, member",
        ] {
            let mut stmt = self.conn.prepare(sql).map_err(self.err())?;
            let mut rows = stmt.query([]).map_err(self.err())?;
            while let Some(r) = rows.next().map_err(self.err())? {
                for i in 0..6 {
                    let v: rusqlite::types::Value = r.get(i).map_err(self.err())?;
                    match v {
                        rusqlite::types::Value::Integer(n) => h.update(n.to_le_bytes()),
                        rusqlite::types::Value::Text(t) => h.update(t.as_bytes()),
                        _ => {}
                    }
                    h.update([31u8]);
                }
                h.update([30u8]);
            }
        }
        Ok(hex::encode(h.finalize()))
    }

    /// The merged state as stored.
    pub fn state(&self) -> Result<State> {
        self.state_of("SELECT entity, id, field, value, hlc, origin FROM fields ORDER BY entity, id, field")
    }

    /// The merged state without the runbook's own fields (`runbook` reads those): what the live
    /// picture needs besides the runbook, read in half the time of the whole state.
    pub fn run_state(&self) -> Result<State> {
        self.state_of(&format!(
            "SELECT entity, id, field, value, hlc, origin FROM fields WHERE entity NOT IN ({}) ORDER BY entity, id, field",
            records::runbook_entities_sql()
        ))
    }

    /// The fields `sql` selects (entity, id, field, value, hlc, origin), and every set member.
    fn state_of(&self, sql: &str) -> Result<State> {
        let e = self.err();
        let mut fields = Vec::new();
        let mut stmt = self.conn.prepare_cached(sql).map_err(&e)?;
        let mut rows = stmt.query([]).map_err(&e)?;
        while let Some(r) = rows.next().map_err(&e)? {
            let key = (r.get(0).map_err(&e)?, r.get(1).map_err(&e)?, r.get(2).map_err(&e)?);
            fields.push((key, self.versioned_at(r, 3)?));
        }
        let mut members = Vec::new();
        let sql =
            "SELECT entity, id, field, member, value, hlc, origin FROM members ORDER BY entity, id, field, member";
        let mut stmt = self.conn.prepare_cached(sql).map_err(&e)?;
        let mut rows = stmt.query([]).map_err(&e)?;
        while let Some(r) = rows.next().map_err(&e)? {
            let key = (r.get(0).map_err(&e)?, r.get(1).map_err(&e)?, r.get(2).map_err(&e)?, r.get(3).map_err(&e)?);
            members.push((key, self.versioned_at(r, 4)?));
        }
        // Built from rows in key order: no search per row.
        Ok(State { fields: fields.into_iter().collect(), members: members.into_iter().collect() })
    }

    /// The JSON in column `i` of `r`, parsed where SQLite holds it.
    fn json_at(&self, r: &rusqlite::Row<'_>, i: usize) -> Result<Value> {
        let text = r.get_ref(i).and_then(|v| {
            v.as_str().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))
        });
        Ok(serde_json::from_str(text.map_err(self.err())?)?)
    }

    /// A value with its version: columns `i` (JSON), `i + 1` (hlc) and `i + 2` (origin) of `r`.
    fn versioned_at(&self, r: &rusqlite::Row<'_>, i: usize) -> Result<Versioned> {
        Ok(Versioned {
            value: self.json_at(r, i)?,
            hlc: r.get(i + 1).map_err(self.err())?,
            origin: r.get(i + 2).map_err(self.err())?,
        })
    }

    /// Recomputes the merged state from the log alone and stores it, in one transaction.
    pub fn rebuild(&mut self) -> Result<State> {
        let events = self.events()?;
        let state = State::replay(&events);
        let path = self.path.clone();
        let e = sql_err(&path);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
        write_state(&tx, &state).map_err(&e)?;
        cache::refresh(&tx).map_err(cache_err(&path))?;
        tx.commit().map_err(&e)?;
        self.generation += 1;
        Ok(state)
    }

    /// The runbook as it stands, if one was imported: its stored form when the database keeps
    /// one (see `cache`), else rebuilt from its fields.
    pub fn runbook(&self) -> Result<Option<Runbook>> {
        let e = cache_err(&self.path);
        match cache::cached(&self.conn).map_err(&e)? {
            Some(runbook) => Ok(runbook),
            None => cache::from_fields(&self.conn).map_err(&e),
        }
    }

    /// The runbook rebuilt from its fields, whatever the database keeps beside them: what
    /// `runbook` must always equal.
    pub fn runbook_from_fields(&self) -> Result<Option<Runbook>> {
        cache::from_fields(&self.conn).map_err(cache_err(&self.path))
    }

    /// Runs `read` in one read transaction: the reads it makes see the same moment of the
    /// database, however many queries they take, even while another process writes.
    pub fn read_at_once<T, E: From<StoreError>>(&self, read: impl FnOnce(&Self) -> Result<T, E>) -> Result<T, E> {
        let tx = self.conn.unchecked_transaction().map_err(self.err())?;
        let out = read(self)?;
        // Only reads were made: ending the transaction cannot lose anything.
        tx.commit().map_err(self.err())?;
        Ok(out)
    }

    /// The runbook, or an error that says how to get one.
    pub fn require_runbook(&self) -> Result<Runbook> {
        self.runbook()?.ok_or_else(|| StoreError::NoRunbook { path: self.path.clone() })
    }

    /// Stores an imported runbook as one event. Over an existing runbook only with `replace`,
    /// and then only the fields that differ are written.
    pub fn import(&mut self, imported: &Imported, author: &Author, replace: bool, clock: &dyn Clock) -> Result<Event> {
        let current = self.field_values()?;
        let existing = records::runbook_from_fields(&current)?;
        // With no field of a runbook held, the fields will be exactly the new runbook's writes,
        // which read back as that runbook.
        let first = !current.keys().any(|(entity, _, _)| records::is_runbook_entity(entity));
        let (kind, writes) = match existing {
            Some(old) if !replace => {
                return Err(StoreError::HasRunbook { path: self.path.clone(), title: old.title });
            }
            Some(_) => ("runbook.reimport", records::diff_writes(&current, &imported.runbook)),
            None => ("runbook.import", records::runbook_writes_sparse(&imported.runbook)),
        };
        let payload = json!({ "report": imported.report });
        // Generated from a runbook, the writes name each field once; with no runbook held before,
        // they give exactly the new runbook. It is no longer the demo, from the same commit.
        let alongside = log::Alongside { gives: first.then_some(&imported.runbook), locals: &[(DEMO_KEY, "0")] };
        self.commit_unique(author, kind, payload, writes, alongside, clock)
    }

    /// SQLite's own check of the file.
    pub fn integrity_check(&self) -> Result<String> {
        self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(self.err())
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod trust_tests;
