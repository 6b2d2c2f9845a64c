//! The SQLite store: schema from `migrations/`, one write path that appends an event (per-device
//! sequence, hybrid logical clock, author, hash chain) in the same transaction as the merged
//! state it changes, idempotent application of other devices' events, and the queries the
//! shells need. Nothing is acknowledged before its transaction commits.

pub mod records;
pub mod state;
pub mod verify;

use crate::clock::Clock;
use crate::import::Imported;
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use state::{FieldKey, State, Versioned, member_key};
use std::collections::BTreeMap;
use std::path::Path;
use warroom_model::{Author, Event, Runbook, Write, WriteOp};

/// The schema, in order; `PRAGMA user_version` counts how many are applied.
const MIGRATIONS: &[(&str, &str)] = &[("0001_init", include_str!("../../../../migrations/0001_init.sql"))];

/// The newest schema this build knows.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path}: this database was written by a newer warroom (schema {found}; this one knows up to {supported}); update warroom to open it"
    )]
    TooNew { path: String, found: i64, supported: usize },
    #[error("{path}: the database is read-only; check the file's permissions or choose another with --db")]
    ReadOnly { path: String },
    #[error(
        "{path}: not a warroom database, or it is damaged ({detail}); restore it from a backup or choose another with --db"
    )]
    Corrupt { path: String, detail: String },
    #[error("{path}: the disk is full; nothing was written")]
    DiskFull { path: String },
    #[error("{path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: cannot create its folder: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Record(#[from] records::RecordError),
    #[error("no runbook in {path} yet: import one with `warroom import FILE`")]
    NoRunbook { path: String },
    #[error("{path} already holds the runbook `{title}`; use --replace to import over it (the change is logged)")]
    HasRunbook { path: String, title: String },
    #[error("event {origin}:{seq} does not match its hash; it was changed after it was made")]
    BadHash { origin: String, seq: u64 },
    #[error(
        "event {origin}:{seq} arrived with a different content than the one stored (hash {stored} here, {got} received): two databases share an origin id"
    )]
    Conflict { origin: String, seq: u64, stored: String, got: String },
    #[error("the event log has a stored value that does not parse: {0}")]
    Json(#[from] serde_json::Error),
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

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

/// What applying a batch of other devices' events did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Applied {
    pub applied: usize,
    pub duplicates: usize,
    /// Events that would leave a gap in their origin's sequence; not applied, ask again later.
    pub deferred: usize,
}

/// A warroom database.
pub struct Store {
    conn: Connection,
    path: String,
    origin: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).field("origin", &self.origin).finish()
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

/// SHA-256 over an event's content and its predecessor's hash, as hex.
pub fn event_hash(ev: &Event) -> String {
    hash_with(ev, &writes_json(&ev.writes))
}

fn writes_json(writes: &[Write]) -> String {
    serde_json::to_string(writes).unwrap_or_default()
}

/// The hash given the writes already serialised: the header's JSON, a newline, the writes'
/// JSON. serde_json writes struct fields in order and maps sorted, so the bytes are canonical.
fn hash_with(ev: &Event, writes: &str) -> String {
    #[derive(Serialize)]
    struct Header<'a> {
        origin: &'a str,
        seq: u64,
        hlc: u64,
        wall_ms: i64,
        author: &'a Author,
        kind: &'a str,
        payload: &'a Value,
        prev_hash: &'a str,
    }
    let header = Header {
        origin: &ev.origin,
        seq: ev.seq,
        hlc: ev.hlc,
        wall_ms: ev.wall_ms,
        author: &ev.author,
        kind: &ev.kind,
        payload: &ev.payload,
        prev_hash: &ev.prev_hash,
    };
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(&header).unwrap_or_default());
    h.update(b"\n");
    h.update(writes.as_bytes());
    hex::encode(h.finalize())
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

/// The database used when none is named, shared by the CLI and the desktop app: the one the app
/// switched to when it joined a room (named in `warroom/current`), else `warroom/warroom.db`, in
/// the OS data folder.
pub fn default_path() -> Option<std::path::PathBuf> {
    let dir = dirs::data_dir()?.join("warroom");
    let chosen = std::fs::read_to_string(dir.join(CURRENT))
        .ok()
        .map(|p| std::path::PathBuf::from(p.trim()))
        .filter(|p| p.is_file());
    Some(chosen.unwrap_or_else(|| dir.join("warroom.db")))
}

/// Names the file that holds which database is the default.
const CURRENT: &str = "current";

/// Makes `db` the database used when none is named, from now on (written aside, then renamed).
pub fn make_default(db: &std::path::Path) -> std::io::Result<()> {
    let dir = dirs::data_dir().ok_or_else(|| std::io::Error::other("no data folder on this system"))?.join("warroom");
    std::fs::create_dir_all(&dir)?;
    let aside = dir.join(".current.new");
    std::fs::write(&aside, db.to_string_lossy().as_bytes())?;
    std::fs::rename(aside, dir.join(CURRENT))
}

impl StoreError {
    /// The error as the UI receives it.
    pub fn to_api(&self) -> warroom_model::ApiError {
        use warroom_model::{ApiError, ErrorKind};
        let kind = match self {
            Self::NoRunbook { .. } => ErrorKind::NotFound,
            Self::HasRunbook { .. } | Self::BadHash { .. } | Self::Conflict { .. } => ErrorKind::Invalid,
            Self::TooNew { .. }
            | Self::ReadOnly { .. }
            | Self::Corrupt { .. }
            | Self::DiskFull { .. }
            | Self::Io { .. } => ErrorKind::Storage,
            Self::Sqlite { .. } | Self::Record(_) | Self::Json(_) => ErrorKind::Internal,
        };
        ApiError::new(kind, self.to_string())
    }
}

/// Local key that marks the runbook as the bundled demo, until another is imported.
pub const DEMO_KEY: &str = "demo";

impl Store {
    /// Imports the bundled demo runbook when the database has none; says whether it did.
    pub fn ensure_demo(&mut self, author: &Author, clock: &dyn Clock) -> Result<bool> {
        if self.runbook()?.is_some() {
            return Ok(false);
        }
        let demo = crate::demo::runbook()
            .map_err(|e| StoreError::Corrupt { path: self.path.clone(), detail: format!("bundled demo: {e}") })?;
        self.import(&demo, author, false, clock)?;
        self.set_local(DEMO_KEY, "1")?;
        Ok(true)
    }

    /// Whether the runbook is the bundled demo.
    pub fn is_demo(&self) -> Result<bool> {
        Ok(self.local(DEMO_KEY)?.as_deref() == Some("1"))
    }

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

    fn init(mut conn: Connection, path: String) -> Result<Self> {
        let shown = path.clone();
        let e = sql_err(&shown);
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(&e)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(&e)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(&e)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(&e)?;
        // A large import must not spill pages mid-transaction.
        conn.pragma_update(None, "cache_size", -65_536).map_err(&e)?;
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
        Ok(Self { conn, path, origin })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// This database's origin id.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        sql_err(&self.path)
    }

    /// The one write path: records `writes` as a new event of this device, and applies them,
    /// in one transaction. Returns the event once it is durable.
    pub fn commit(
        &mut self,
        author: &Author,
        kind: &str,
        payload: Value,
        writes: Vec<Write>,
        clock: &dyn Clock,
    ) -> Result<Event> {
        self.commit_unique(author, kind, payload, dedupe(writes), clock)
    }

    /// `commit` for writes that name each field at most once (a generated import).
    fn commit_unique(
        &mut self,
        author: &Author,
        kind: &str,
        payload: Value,
        writes: Vec<Write>,
        clock: &dyn Clock,
    ) -> Result<Event> {
        let now_ms = clock.now().timestamp_millis();
        let path = self.path.clone();
        let e = sql_err(&path);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
        let (seq, prev_hash): (u64, String) = tx
            .query_row(
                "SELECT seq, hash FROM events WHERE origin = ?1 ORDER BY seq DESC LIMIT 1",
                [&self.origin],
                |r| Ok((r.get::<_, u64>(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(&e)?
            .map_or((1, String::new()), |(s, h)| (s + 1, h));
        let last_hlc = local_u64(&tx, "hlc").map_err(&e)?;
        let physical = u64::try_from(now_ms).unwrap_or(0) << 16;
        let hlc = physical.max(last_hlc + 1);
        let mut ev = Event {
            origin: self.origin.clone(),
            seq,
            hlc,
            wall_ms: now_ms,
            author: author.clone(),
            kind: kind.into(),
            payload,
            writes,
            prev_hash,
            hash: String::new(),
        };
        let wj = writes_json(&ev.writes);
        ev.hash = hash_with(&ev, &wj);
        insert_event(&tx, &ev, &wj, now_ms).map_err(&e)?;
        apply_writes(&tx, &ev).map_err(&e)?;
        set_local(&tx, "hlc", &hlc.to_string()).map_err(&e)?;
        tx.commit().map_err(&e)?;
        Ok(ev)
    }

    /// Applies other devices' events: each at most once, never across a gap in its origin's
    /// sequence, refusing one whose hash does not match its content or that contradicts a
    /// stored event. All or nothing.
    pub fn apply_remote(&mut self, events: &[Event], clock: &dyn Clock) -> Result<Applied> {
        let mut sorted: Vec<&Event> = events.iter().collect();
        sorted.sort_by(|a, b| (&a.origin, a.seq).cmp(&(&b.origin, b.seq)));
        let now_ms = clock.now().timestamp_millis();
        let path = self.path.clone();
        let e = sql_err(&path);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
        let mut out = Applied::default();
        let mut max_hlc = local_u64(&tx, "hlc").map_err(&e)?;
        // Each origin's head, read once per batch and moved along as its events are applied.
        let mut heads: BTreeMap<String, (u64, String)> = BTreeMap::new();
        for ev in sorted {
            let wj = writes_json(&ev.writes);
            if hash_with(ev, &wj) != ev.hash {
                return Err(StoreError::BadHash { origin: ev.origin.clone(), seq: ev.seq });
            }
            if !heads.contains_key(&ev.origin) {
                let head: Option<(u64, String)> = tx
                    .query_row(
                        "SELECT seq, hash FROM events WHERE origin = ?1 ORDER BY seq DESC LIMIT 1",
                        [&ev.origin],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(&e)?;
                heads.insert(ev.origin.clone(), head.unwrap_or((0, String::new())));
            }
            let (top, top_hash) = heads.get(&ev.origin).cloned().unwrap_or_default();
            // Past the head it cannot be stored yet (sequences are gapless).
            let stored: Option<String> = if ev.seq > top {
                None
            } else {
                tx.query_row(
                    "SELECT hash FROM events WHERE origin = ?1 AND seq = ?2",
                    params![ev.origin, ev.seq],
                    |r| r.get(0),
                )
                .optional()
                .map_err(&e)?
            };
            if let Some(stored) = stored {
                if stored != ev.hash {
                    return Err(StoreError::Conflict {
                        origin: ev.origin.clone(),
                        seq: ev.seq,
                        stored,
                        got: ev.hash.clone(),
                    });
                }
                out.duplicates += 1;
                continue;
            }
            if ev.seq != top + 1 || ev.prev_hash != top_hash {
                out.deferred += 1;
                continue;
            }
            insert_event(&tx, ev, &wj, now_ms).map_err(&e)?;
            apply_writes(&tx, ev).map_err(&e)?;
            heads.insert(ev.origin.clone(), (ev.seq, ev.hash.clone()));
            max_hlc = max_hlc.max(ev.hlc);
            out.applied += 1;
        }
        set_local(&tx, "hlc", &max_hlc.to_string()).map_err(&e)?;
        tx.commit().map_err(&e)?;
        Ok(out)
    }

    /// All events in log order (HLC, then origin).
    pub fn events(&self) -> Result<Vec<Event>> {
        self.read_events(&format!("{EVENT_COLUMNS} ORDER BY hlc, origin, seq"), [])
    }

    /// The last `n` events in log order, without their writes: who did what, for display. An
    /// import's writes can run to megabytes and are not needed to say "runbook imported".
    pub fn recent_changes(&self, n: usize) -> Result<Vec<Event>> {
        let limit = i64::try_from(n).unwrap_or(i64::MAX);
        let sql = EVENT_COLUMNS.replace(", writes,", ", '[]',");
        let mut out = self.read_events(&format!("{sql} ORDER BY hlc DESC, origin DESC, seq DESC LIMIT ?1"), [limit])?;
        out.reverse();
        Ok(out)
    }

    /// The last `n` events in log order with their writes, except writes of more than 64 KB
    /// (whole imports), which are left out: what the Activity view lists.
    pub fn recent_events(&self, n: usize) -> Result<Vec<Event>> {
        let limit = i64::try_from(n).unwrap_or(i64::MAX);
        let sql = EVENT_COLUMNS.replace(", writes,", ", CASE WHEN length(writes) > 65536 THEN '[]' ELSE writes END,");
        let mut out = self.read_events(&format!("{sql} ORDER BY hlc DESC, origin DESC, seq DESC LIMIT ?1"), [limit])?;
        out.reverse();
        Ok(out)
    }

    /// A number that changes whenever another connection (another process) commits to this
    /// database: how the app notices what the CLI recorded meanwhile.
    pub fn data_version(&self) -> Result<i64> {
        self.conn.query_row("PRAGMA data_version", [], |r| r.get(0)).map_err(self.err())
    }

    /// The events whose payload names this run and task, in log order (a task's history).
    pub fn task_events(&self, run: &str, task: &str) -> Result<Vec<Event>> {
        let sql = format!(
            "{EVENT_COLUMNS} WHERE payload ->> '$.run' = ?1 AND payload ->> '$.task' = ?2 ORDER BY hlc, origin, seq"
        );
        self.read_events(&sql, [run, task])
    }

    fn read_events<P: rusqlite::Params>(&self, sql: &str, params: P) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare(sql).map_err(self.err())?;
        let rows = stmt.query_map(params, row_event).map_err(self.err())?;
        let mut out = Vec::new();
        for r in rows {
            let (mut ev, payload, writes) = r.map_err(self.err())?;
            ev.payload = serde_json::from_str(&payload)?;
            ev.writes = serde_json::from_str(&writes)?;
            out.push(ev);
        }
        Ok(out)
    }

    /// The highest sequence held of each origin: what this database has, in one map.
    pub fn version_vector(&self) -> Result<BTreeMap<String, u64>> {
        // A skip-scan over the primary key: one seek per origin, not a pass over every event.
        let mut stmt = self
            .conn
            .prepare_cached(
                "WITH RECURSIVE o(origin) AS (
                     SELECT min(origin) FROM events
                     UNION ALL SELECT (SELECT min(origin) FROM events WHERE origin > o.origin) FROM o
                     WHERE o.origin IS NOT NULL)
                 SELECT origin, (SELECT max(seq) FROM events e WHERE e.origin = o.origin) FROM o
                 WHERE origin IS NOT NULL",
            )
            .map_err(self.err())?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?))).map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Up to `limit` events that `have` lacks, each origin's in sequence order. An event is one
    /// local transaction, so a page never splits one.
    pub fn events_after(&self, have: &BTreeMap<String, u64>, limit: usize) -> Result<Vec<Event>> {
        let mine = self.version_vector()?;
        let mut out = Vec::new();
        for (origin, top) in mine {
            let from = have.get(&origin).copied().unwrap_or(0);
            if top <= from || out.len() >= limit {
                continue;
            }
            let left = i64::try_from(limit - out.len()).unwrap_or(i64::MAX);
            let sql = format!("{EVENT_COLUMNS} WHERE origin = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
            out.extend(self.read_events(&sql, params![origin, from, left])?);
        }
        Ok(out)
    }

    pub fn event_count(&self) -> Result<u64> {
        self.conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).map_err(self.err())
    }

    /// The current value of every field.
    pub fn field_values(&self) -> Result<BTreeMap<FieldKey, Value>> {
        let mut stmt = self.conn.prepare("SELECT entity, id, field, value FROM fields").map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get::<_, String>(3)?)))
            .map_err(self.err())?;
        let mut out = BTreeMap::new();
        for r in rows {
            let (k, v) = r.map_err(self.err())?;
            out.insert(k, serde_json::from_str(&v)?);
        }
        Ok(out)
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

    /// The merged state as stored, for comparing with a replay of the log.
    pub fn state(&self) -> Result<State> {
        let mut s = State::default();
        let mut stmt =
            self.conn.prepare("SELECT entity, id, field, value, hlc, origin FROM fields").map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?, r.get(2)?),
                    r.get::<_, String>(3)?,
                    r.get::<_, u64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(self.err())?;
        for r in rows {
            let (k, v, hlc, origin) = r.map_err(self.err())?;
            s.fields.insert(k, Versioned { value: serde_json::from_str(&v)?, hlc, origin });
        }
        let mut stmt = self
            .conn
            .prepare("SELECT entity, id, field, member, value, hlc, origin FROM members")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                    r.get::<_, String>(4)?,
                    r.get::<_, u64>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .map_err(self.err())?;
        for r in rows {
            let (k, v, hlc, origin) = r.map_err(self.err())?;
            s.members.insert(k, Versioned { value: serde_json::from_str(&v)?, hlc, origin });
        }
        Ok(s)
    }

    /// Recomputes the merged state from the log alone and stores it, in one transaction.
    pub fn rebuild(&mut self) -> Result<State> {
        let events = self.events()?;
        let state = State::replay(&events);
        let path = self.path.clone();
        let e = sql_err(&path);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
        tx.execute_batch("DELETE FROM fields; DELETE FROM members;").map_err(&e)?;
        {
            let mut f = tx
                .prepare("INSERT INTO fields (entity, id, field, value, hlc, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .map_err(&e)?;
            for ((entity, id, field), v) in &state.fields {
                f.execute(params![entity, id, field, v.value.to_string(), v.hlc, v.origin]).map_err(&e)?;
            }
            let mut m = tx
                .prepare("INSERT INTO members (entity, id, field, member, value, hlc, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                .map_err(&e)?;
            for ((entity, id, field, member), v) in &state.members {
                m.execute(params![entity, id, field, member, v.value.to_string(), v.hlc, v.origin]).map_err(&e)?;
            }
        }
        tx.commit().map_err(&e)?;
        Ok(state)
    }

    /// The runbook as it stands, if one was imported.
    pub fn runbook(&self) -> Result<Option<Runbook>> {
        Ok(records::runbook_from_fields(self.field_values()?)?)
    }

    /// The runbook, or an error that says how to get one.
    pub fn require_runbook(&self) -> Result<Runbook> {
        self.runbook()?.ok_or_else(|| StoreError::NoRunbook { path: self.path.clone() })
    }

    /// Stores an imported runbook as one event. Over an existing runbook only with `replace`,
    /// and then only the fields that differ are written.
    pub fn import(&mut self, imported: &Imported, author: &Author, replace: bool, clock: &dyn Clock) -> Result<Event> {
        let current = self.field_values()?;
        let existing = records::runbook_from_fields(current.clone())?;
        let (kind, writes) = match existing {
            Some(old) if !replace => {
                return Err(StoreError::HasRunbook { path: self.path.clone(), title: old.title });
            }
            Some(_) => ("runbook.reimport", records::diff_writes(&current, &imported.runbook)),
            None => ("runbook.import", records::runbook_writes_sparse(&imported.runbook)),
        };
        let payload = json!({ "report": imported.report });
        // Generated from a runbook, the writes name each field once.
        let ev = self.commit_unique(author, kind, payload, writes, clock)?;
        self.set_local(DEMO_KEY, "0")?;
        Ok(ev)
    }

    /// A local setting (never replicated).
    pub fn local(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM local WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(self.err())
    }

    pub fn set_local(&mut self, key: &str, value: &str) -> Result<()> {
        set_local(&self.conn, key, value).map_err(self.err())
    }

    /// SQLite's own check of the file.
    pub fn integrity_check(&self) -> Result<String> {
        self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(self.err())
    }
}

/// Keeps the last write to each field of one event; additions all stay.
fn dedupe(writes: Vec<Write>) -> Vec<Write> {
    let mut last: std::collections::HashMap<(&str, &str, &str), usize> =
        std::collections::HashMap::with_capacity(writes.len());
    for (i, w) in writes.iter().enumerate() {
        if w.op == WriteOp::Set {
            last.insert((&w.entity, &w.id, &w.field), i);
        }
    }
    if last.len() == writes.iter().filter(|w| w.op == WriteOp::Set).count() {
        return writes;
    }
    let keep: Vec<bool> = writes
        .iter()
        .enumerate()
        .map(|(i, w)| {
            w.op == WriteOp::Add || last.get(&(w.entity.as_str(), w.id.as_str(), w.field.as_str())) == Some(&i)
        })
        .collect();
    writes.into_iter().zip(keep).filter(|(_, k)| *k).map(|(w, _)| w).collect()
}

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
    Ok(())
}

const EVENT_COLUMNS: &str =
    "SELECT origin, seq, hlc, wall_ms, author_name, author_role, kind, payload, writes, prev_hash, hash FROM events";

type RawEvent = (Event, String, String);

fn row_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEvent> {
    Ok((
        Event {
            origin: r.get(0)?,
            seq: r.get(1)?,
            hlc: r.get(2)?,
            wall_ms: r.get(3)?,
            author: Author { name: r.get(4)?, role: r.get(5)? },
            kind: r.get(6)?,
            payload: Value::Null,
            writes: Vec::new(),
            prev_hash: r.get(9)?,
            hash: r.get(10)?,
        },
        r.get(7)?,
        r.get(8)?,
    ))
}

fn insert_event(conn: &Connection, ev: &Event, writes: &str, received_ms: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO events (origin, seq, hlc, wall_ms, author_name, author_role, kind, payload, writes, prev_hash, hash, received_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        ev.origin,
        ev.seq,
        ev.hlc,
        ev.wall_ms,
        ev.author.name,
        ev.author.role,
        ev.kind,
        ev.payload.to_string(),
        writes,
        ev.prev_hash,
        ev.hash,
        received_ms
    ])?;
    Ok(())
}

/// The merge rule of `state::State::apply`, in SQL.
fn apply_writes(conn: &Connection, ev: &Event) -> rusqlite::Result<()> {
    let mut set = conn.prepare_cached(
        "INSERT INTO fields (entity, id, field, value, hlc, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (entity, id, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, origin = excluded.origin
         WHERE (excluded.hlc, excluded.origin) > (fields.hlc, fields.origin)",
    )?;
    let mut add = conn.prepare_cached(
        "INSERT OR IGNORE INTO members (entity, id, field, member, value, hlc, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    // In key order, so a large event fills the B-trees sequentially; the result is the same.
    let mut order: Vec<usize> = (0..ev.writes.len()).collect();
    order.sort_by(|a, b| {
        let (x, y) = (&ev.writes[*a], &ev.writes[*b]);
        (&x.entity, &x.id, &x.field).cmp(&(&y.entity, &y.id, &y.field))
    });
    for i in order {
        let w = &ev.writes[i];
        let value = w.value.to_string();
        match w.op {
            WriteOp::Set => set.execute(params![w.entity, w.id, w.field, value, ev.hlc, ev.origin])?,
            WriteOp::Add => add.execute(params![
                w.entity,
                w.id,
                w.field,
                member_key(&ev.origin, ev.seq, i),
                value,
                ev.hlc,
                ev.origin
            ])?,
        };
    }
    Ok(())
}

fn local_u64(conn: &Connection, key: &str) -> rusqlite::Result<u64> {
    let v: Option<String> = conn.query_row("SELECT value FROM local WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    Ok(v.and_then(|s| s.parse().ok()).unwrap_or(0))
}

fn set_local(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO local (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
