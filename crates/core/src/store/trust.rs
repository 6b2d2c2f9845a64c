//! What another laptop's event must be to be taken: signed by its laptop's key (the key its
//! origin id names, or for a laptop older than signing, the key it first signed with), stamped
//! by a clock not far ahead of this one, and not written by a laptop after its revocation. An
//! event that fails is refused: kept aside in `refused` for the room's alarm, never merged. When
//! a revocation arrives, events its laptop wrote past what the revoker held are taken out again.

use super::local::local_u64;
use super::state::State;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::HashMap;
use warroom_model::Event;

/// How far ahead of this laptop's clock another's events may be stamped, unless set otherwise
/// (local setting `sync.max_skew_hours`).
pub const MAX_SKEW_HOURS: u64 = 24;

/// The latest physical time a hybrid logical clock may hold (the end of the year 3999): with its
/// 16-bit counter it still fits SQLite's signed 64-bit integers.
pub const HLC_MS_LIMIT: u64 = 64_060_588_799_999;

/// An event another laptop sent that was not taken, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RefusedEvent {
    /// The laptop (origin id) it claims to come from.
    pub origin: String,
    /// Its sequence number on that laptop.
    pub seq: u64,
    /// Why it was refused, in English.
    pub reason: String,
    /// When it was refused, by this laptop's clock (ms since the Unix epoch).
    pub at_ms: i64,
}

/// Why an event is not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Signed by its laptop, or from before signing by a laptop that never signed.
    Take,
    /// Refused, with the reason.
    Refuse(String),
}

/// The checks of one batch, with what they read from the database kept between events.
pub(super) struct Gate {
    now_ms: i64,
    max_ahead_ms: u64,
    /// Each origin's key, as its first signed event held here gives it ("" when it never signed).
    keys: HashMap<String, String>,
    /// For each revoked laptop's origin, the last of its events the revoker held.
    cutoffs: HashMap<String, u64>,
}

impl Gate {
    pub(super) fn new(conn: &Connection, now_ms: i64) -> rusqlite::Result<Self> {
        let hours = match local_u64(conn, "sync.max_skew_hours")? {
            0 => MAX_SKEW_HOURS,
            h => h,
        };
        Ok(Self {
            now_ms,
            max_ahead_ms: hours.saturating_mul(3_600_000),
            keys: HashMap::new(),
            cutoffs: cutoffs(conn)?,
        })
    }

    /// Reads the revocations again (after an event that may have revoked someone).
    pub(super) fn reload_cutoffs(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        self.cutoffs = cutoffs(conn)?;
        Ok(())
    }

    /// Whether `ev` (its hash already checked) may be taken; `signature_ok` says whether its
    /// signature is its `key`'s (`keys::verify_hashes`, checked for a whole page at once).
    pub(super) fn judge(&mut self, conn: &Connection, ev: &Event, signature_ok: bool) -> rusqlite::Result<Verdict> {
        let ms = ev.hlc >> 16;
        let now = u64::try_from(self.now_ms).unwrap_or(0);
        if ms > HLC_MS_LIMIT || ms > now.saturating_add(self.max_ahead_ms) {
            let ahead = ms.saturating_sub(now) / 3_600_000;
            return Ok(Verdict::Refuse(format!(
                "its clock is {ahead} h ahead of this laptop's (more than {} h allowed)",
                self.max_ahead_ms / 3_600_000
            )));
        }
        if let Some(upto) = self.cutoffs.get(&ev.origin)
            && ev.seq > *upto
        {
            return Ok(Verdict::Refuse(format!(
                "written by a revoked laptop after its revocation (it was cut off after its event {upto})"
            )));
        }
        let bound = self.key_of(conn, &ev.origin)?;
        if ev.sig.is_empty() {
            // Written before events were signed; taken only from a laptop that never signed.
            return Ok(if bound.is_empty() {
                Verdict::Take
            } else {
                Verdict::Refuse("it is not signed, and its laptop signs its events".into())
            });
        }
        if !signature_ok {
            return Ok(Verdict::Refuse("its signature does not match its content".into()));
        }
        // A laptop's key is the one its membership carries (recorded when it was admitted or
        // made the room), else the one it first signed with here: trusted on first use, which
        // only a laptop outside every membership (one from before signing) relies on.
        if !bound.is_empty() && bound != ev.key {
            return Ok(Verdict::Refuse(format!(
                "signed with another key than laptop {}'s: forged as that laptop",
                short(&ev.origin)
            )));
        }
        if bound.is_empty() {
            self.keys.insert(ev.origin.clone(), ev.key.clone());
        }
        Ok(Verdict::Take)
    }

    fn key_of(&mut self, conn: &Connection, origin: &str) -> rusqlite::Result<String> {
        if let Some(k) = self.keys.get(origin) {
            return Ok(k.clone());
        }
        let member: Option<String> = conn
            .query_row(
                "SELECT k.value ->> '$' FROM fields o
                 JOIN fields k ON k.entity = 'member' AND k.id = o.id AND k.field = 'key'
                 WHERE o.entity = 'member' AND o.field = 'origin' AND o.value ->> '$' = ?1 LIMIT 1",
                [origin],
                |r| r.get(0),
            )
            .optional()?;
        let k = match member {
            Some(k) => Some(k),
            None => conn
                .query_row("SELECT key FROM events WHERE origin = ?1 AND key <> '' LIMIT 1", [origin], |r| r.get(0))
                .optional()?,
        };
        let k = k.unwrap_or_default();
        self.keys.insert(origin.to_owned(), k.clone());
        Ok(k)
    }
}

fn short(origin: &str) -> &str {
    origin.get(..8).unwrap_or(origin)
}

/// For each revoked laptop whose origin the log knows, the last of its events its revoker held.
pub(super) fn cutoffs(conn: &Connection) -> rusqlite::Result<HashMap<String, u64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.value ->> '$', u.value ->> '$' FROM fields o
         JOIN fields u ON u.entity = 'member' AND u.id = o.id AND u.field = 'upto'
         JOIN fields r ON r.entity = 'member' AND r.id = o.id AND r.field = 'revoked' AND r.value = 'true'
         WHERE o.entity = 'member' AND o.field = 'origin'",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = HashMap::new();
    for r in rows {
        let (origin, upto) = r?;
        out.insert(origin, u64::try_from(upto).unwrap_or(0));
    }
    Ok(out)
}

/// Keeps a refused event aside.
pub(super) fn set_aside(conn: &Connection, ev: &Event, reason: &str, now_ms: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO refused (origin, seq, hash, reason, event, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        ev.origin,
        ev.seq,
        ev.hash,
        reason,
        serde_json::to_string(ev).unwrap_or_default(),
        now_ms
    ])?;
    Ok(())
}

/// Takes out of the log the events revoked laptops wrote past their cut-off (taken before the
/// revocation was known here), keeps them aside, and recomputes the merged state without them.
/// Says how many were taken out.
pub(super) fn cut_off_revoked(conn: &Connection, now_ms: i64) -> rusqlite::Result<usize> {
    let mut late = Vec::new();
    for (origin, upto) in cutoffs(conn)? {
        let sql = format!("{} WHERE origin = ?1 AND seq > ?2", super::log::EVENT_COLUMNS);
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params![origin, upto], super::log::row_event)?;
        for r in rows {
            let (mut ev, payload, writes) = r?;
            ev.payload = parsed(&payload)?;
            ev.writes = parsed(&writes)?;
            late.push(ev);
        }
    }
    if late.is_empty() {
        return Ok(0);
    }
    conn.execute_batch("DROP TRIGGER events_append_only_delete")?;
    for ev in &late {
        set_aside(
            conn,
            ev,
            "written by a revoked laptop after its revocation; taken out when the revocation arrived",
            now_ms,
        )?;
        conn.execute("DELETE FROM events WHERE origin = ?1 AND seq = ?2", params![ev.origin, ev.seq])?;
    }
    conn.execute_batch(
        "CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
         BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;",
    )?;
    replace_state(conn)?;
    tracing::warn!(events = late.len(), "events a revoked laptop wrote after its revocation were taken out");
    Ok(late.len())
}

/// Recomputes the merged state from the log as it now stands, in the caller's transaction.
fn replace_state(conn: &Connection) -> rusqlite::Result<()> {
    let sql = format!("{} ORDER BY hlc, origin, seq", super::log::EVENT_COLUMNS);
    let mut stmt = conn.prepare(&sql)?;
    let mut events = Vec::new();
    for r in stmt.query_map([], super::log::row_event)? {
        let (mut ev, payload, writes) = r?;
        ev.payload = parsed(&payload)?;
        ev.writes = parsed(&writes)?;
        events.push(ev);
    }
    super::write_state(conn, &State::replay(&events))
}

/// A stored JSON column, or the failure that stops the transaction: a log that does not parse
/// is never replayed as if it were empty.
fn parsed<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// The events refused here, newest first.
fn refused(conn: &Connection) -> rusqlite::Result<Vec<RefusedEvent>> {
    let mut stmt =
        conn.prepare("SELECT origin, seq, reason, received_ms FROM refused ORDER BY received_ms DESC, origin, seq")?;
    let rows = stmt.query_map([], |r| {
        Ok(RefusedEvent { origin: r.get(0)?, seq: r.get(1)?, reason: r.get(2)?, at_ms: r.get(3)? })
    })?;
    rows.collect()
}

impl super::Store {
    /// The events other laptops sent that were refused or taken out here, newest first: what the
    /// room's alarm shows.
    pub fn refused_events(&self) -> super::Result<Vec<RefusedEvent>> {
        refused(&self.conn).map_err(self.err())
    }
}
