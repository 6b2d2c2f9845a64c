//! Local settings, never replicated: the `local` table's keys (origin id, clock, certificates and
//! the like), and which database this machine uses when none is named.

use super::{Result, Store};
use rusqlite::{Connection, OptionalExtension, params};

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

impl Store {
    /// A local setting (never replicated).
    pub fn local(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM local WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(self.err())
    }

    /// Sets a local setting of this laptop (never replicated), replacing its value.
    pub fn set_local(&mut self, key: &str, value: &str) -> Result<()> {
        set_local(&self.conn, key, value).map_err(self.err())
    }
}

pub(super) fn local_u64(conn: &Connection, key: &str) -> rusqlite::Result<u64> {
    // Cached: every commit and every applied page reads the clock.
    let v: Option<String> =
        conn.prepare_cached("SELECT value FROM local WHERE key = ?1")?.query_row([key], |r| r.get(0)).optional()?;
    Ok(v.and_then(|s| s.parse().ok()).unwrap_or(0))
}

pub(super) fn set_local(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO local (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}
