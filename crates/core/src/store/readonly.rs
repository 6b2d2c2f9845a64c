//! Telling a warroom database from any other SQLite file (its `application_id`), and opening one
//! read-only for the commands that only read: no folder or file created, no migration, no
//! journal-mode change, nothing written, on a file or folder that cannot be written.

use super::migrate::{self, MIGRATIONS};
use super::{Result, Store, StoreError, sql_err};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::Path;

/// The `PRAGMA application_id` every warroom database carries ("WRRM").
pub const APPLICATION_ID: i32 = 0x5752_524D;

/// The tables every warroom schema has: a file with them but without the application id is a
/// warroom database made before the id was set.
const OUR_TABLES: [&str; 4] = ["events", "fields", "members", "local"];

/// What a SQLite file is, read from its header and schema without writing.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// It carries warroom's application id.
    Ours,
    /// An older warroom database: warroom's tables, no application id yet.
    Unmarked,
    /// No tables and no application id: a new file, ours to make.
    Empty,
    /// Another application's file.
    Foreign,
}

/// What the file behind `conn` is.
pub(super) fn kind(conn: &Connection, path: &str) -> Result<Kind> {
    let e = sql_err(path);
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(&e)?;
    if id == APPLICATION_ID {
        return Ok(Kind::Ours);
    }
    if id != 0 {
        return Ok(Kind::Foreign);
    }
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).map_err(&e)?;
    if tables == 0 {
        return Ok(Kind::Empty);
    }
    let mut ours = 0;
    for t in OUR_TABLES {
        let found: Option<String> = conn
            .query_row("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1", [t], |r| r.get(0))
            .optional()
            .map_err(&e)?;
        ours += usize::from(found.is_some());
    }
    Ok(if ours == OUR_TABLES.len() { Kind::Unmarked } else { Kind::Foreign })
}

/// Refuses another application's file before anything is written to it.
pub(super) fn refuse_foreign(conn: &Connection, path: &str) -> Result<Kind> {
    match kind(conn, path)? {
        Kind::Foreign => Err(StoreError::Foreign { path: path.to_owned() }),
        k => Ok(k),
    }
}

/// A read-only connection to `path` that has read the header, refusing any file that is not a
/// warroom database. `immutable` reads the file as it is, without the WAL's shared memory: the
/// only way SQLite reads a WAL-mode file in a folder this user cannot write, safe when no WAL
/// holds unmerged pages (`has_wal`).
fn connect(path: &Path, shown: &str, immutable: bool) -> Result<Connection> {
    let e = sql_err(shown);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = if immutable {
        let uri = format!("file:{}?immutable=1", uri_path(path));
        Connection::open_with_flags(uri, flags)
    } else {
        Connection::open_with_flags(path, flags - OpenFlags::SQLITE_OPEN_URI)
    }
    .map_err(&e)?;
    conn.busy_timeout(migrate::BUSY).map_err(&e)?;
    match kind(&conn, shown)? {
        Kind::Ours | Kind::Unmarked => Ok(conn),
        // An empty file is no warroom database either: reading it would only say so later.
        Kind::Empty | Kind::Foreign => Err(StoreError::Foreign { path: shown.to_owned() }),
    }
}

/// Whether pages written to the database wait in its WAL file, not yet merged into it.
fn has_wal(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).is_ok_and(|m| m.len() > 0)
}

/// `path` as the path of a `file:` URI: the characters a URI gives a meaning escaped.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => out.push_str(&format!("%{:02X}", u32::from(c))),
            _ => out.push(c),
        }
    }
    out
}

impl Store {
    /// Opens the warroom database at `path` to read it only: a missing file is an error (nothing
    /// is created), another application's file is refused, and nothing is written — the schema
    /// is not migrated and the journal mode is left as it is — so it works on a read-only file
    /// or folder.
    pub fn open_read(path: &Path) -> Result<Self> {
        let shown = path.display().to_string();
        if !path.is_file() {
            return Err(StoreError::Missing { path: shown });
        }
        let conn = match connect(path, &shown, false) {
            Err(StoreError::ReadOnly { .. }) if !has_wal(path) => connect(path, &shown, true)?,
            other => other?,
        };
        let at = shown.clone();
        let e = sql_err(&at);
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(&e)?;
        let applied = usize::try_from(version).unwrap_or(usize::MAX);
        if applied > MIGRATIONS.len() {
            return Err(StoreError::TooNew { path: shown, found: version, supported: MIGRATIONS.len() });
        }
        if applied < MIGRATIONS.len() {
            return Err(StoreError::TooOld { path: shown, found: version });
        }
        conn.pragma_update(None, "mmap_size", migrate::MMAP_BYTES).map_err(&e)?;
        let origin: Option<String> =
            conn.query_row("SELECT value FROM local WHERE key = 'origin'", [], |r| r.get(0)).optional().map_err(&e)?;
        Ok(Self { conn, path: shown, origin: origin.unwrap_or_default(), keys: None, key_store: None, generation: 0 })
    }
}
