//! The event log: the one write path that appends an event (per-device sequence, hybrid
//! logical clock, author, hash chain) with the writes it applies, idempotent application of
//! other devices' events, the events' hashes, and reading the log back.

use super::local::{local_u64, set_local};
use super::state::member_key;
use super::{Result, Store, StoreError, cache, cache_err, journal, sql_err};
use crate::clock::Clock;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use warroom_model::{Author, Event, Write, WriteOp};

/// What applying a batch of other devices' events did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Applied {
    /// Events stored and merged into the state.
    pub applied: usize,
    /// Events already held (same origin, sequence and hash): skipped.
    pub duplicates: usize,
    /// Events that would leave a gap in their origin's sequence; not applied, ask again later.
    pub deferred: usize,
    /// Events refused (a bad signature, a clock far ahead, a revoked laptop's), kept aside.
    #[serde(default)]
    pub refused: Vec<super::trust::RefusedEvent>,
    /// Events a revocation in this batch took out of the log again.
    #[serde(default)]
    pub taken_out: usize,
}

/// SHA-256 over an event's content and its predecessor's hash, as hex.
pub fn event_hash(ev: &Event) -> String {
    hash_with(ev, &writes_json(&ev.writes))
}

/// What a commit stores besides the event and its fields.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Alongside<'a> {
    /// The runbook the fields read as once the writes are applied, when known: stored as such
    /// (else the stored runbook is made again from the fields).
    pub gives: Option<&'a warroom_model::Runbook>,
    /// Local settings, written in the same transaction.
    pub locals: &'a [(&'a str, &'a str)],
}

/// What a new event is stored with besides its writes, made from the event alone.
struct Sealed {
    /// The writes as JSON, as hashed and stored.
    writes_json: String,
    hash: String,
    sig: String,
    /// The runbook's stored form, when the writes are known to give it (`commit_unique`).
    stored_form: Option<serde_json::Result<Vec<u8>>>,
}

fn seal(ev: &Event, keys: &crate::keys::LaptopKeys, gives: Option<&warroom_model::Runbook>) -> Sealed {
    let writes_json = writes_json(&ev.writes);
    let hash = hash_with(ev, &writes_json);
    let sig = keys.sign_hash(&hash);
    let stored_form = gives.map(|rb| stored_form(rb, writes_json.len()));
    Sealed { writes_json, hash, sig, stored_form }
}

/// The runbook's stored form, packed (`cache::pack`). Its JSON is written into room reserved at
/// once: it is shorter than the JSON of the writes that give it (which name each field of each
/// entity), so it is never grown by copying.
fn stored_form(rb: &warroom_model::Runbook, writes_bytes: usize) -> serde_json::Result<Vec<u8>> {
    let mut json = Vec::with_capacity(writes_bytes);
    serde_json::to_writer(&mut json, rb)?;
    Ok(cache::pack(&json))
}

fn writes_json(writes: &[Write]) -> String {
    // About what a write takes in JSON, reserved at once rather than grown by copying.
    let mut out = Vec::with_capacity(writes.len() * WRITE_JSON_BYTES);
    if serde_json::to_writer(&mut out, writes).is_err() {
        return String::new();
    }
    String::from_utf8(out).unwrap_or_default()
}

/// About how many bytes one write takes in JSON: `{"entity":"task","id":"12.3","field":"owner","value":"DBA"},`.
const WRITE_JSON_BYTES: usize = 80;

/// The hash given the writes already serialised: the header's JSON, a newline, the writes'
/// JSON. serde_json writes struct fields in order and maps sorted, so the bytes are canonical.
pub(super) fn hash_with(ev: &Event, writes: &str) -> String {
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

impl Store {
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
        self.commit_unique(author, kind, payload, dedupe(writes), Alongside::default(), clock)
    }

    /// `commit` for writes that name each field at most once (a generated import), with what is
    /// stored alongside them.
    pub(super) fn commit_unique(
        &mut self,
        author: &Author,
        kind: &str,
        payload: Value,
        writes: Vec<Write>,
        alongside: Alongside<'_>,
        clock: &dyn Clock,
    ) -> Result<Event> {
        let direct = writes.len() > BULK_WRITES && journal::write_direct(&self.conn).map_err(sql_err(&self.path))?;
        let committed = self.commit_in_tx(author, kind, payload, writes, alongside, clock);
        if direct {
            journal::back_to_wal(&self.conn, &self.path);
        }
        committed
    }

    fn commit_in_tx(
        &mut self,
        author: &Author,
        kind: &str,
        payload: Value,
        writes: Vec<Write>,
        alongside: Alongside<'_>,
        clock: &dyn Clock,
    ) -> Result<Event> {
        let now_ms = clock.now().timestamp_millis();
        let path = self.path.clone();
        let e = sql_err(&path);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
        let (seq, prev_hash): (u64, String) = tx
            .prepare_cached("SELECT seq, hash FROM events WHERE origin = ?1 ORDER BY seq DESC LIMIT 1")
            .and_then(|mut s| s.query_row([&self.origin], |r| Ok((r.get::<_, u64>(0)?, r.get(1)?))))
            .optional()
            .map_err(&e)?
            .map_or((1, String::new()), |(s, h)| (s + 1, h));
        let last_hlc = local_u64(&tx, "hlc").map_err(&e)?;
        let physical = u64::try_from(now_ms).unwrap_or(0).min(super::trust::HLC_MS_LIMIT) << 16;
        let hlc = last_hlc
            .checked_add(1)
            .filter(|h| *h <= super::trust::HLC_MS_LIMIT << 16 | 0xffff)
            .ok_or_else(|| StoreError::ClockExhausted { path: path.clone(), hlc: last_hlc })?
            .max(physical);
        let Some(keys) = self.keys.as_ref() else { return Err(StoreError::NoKey { path: path.clone() }) };
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
            key: keys.public_hex(),
            sig: String::new(),
        };
        let sealed = if ev.writes.len() > BULK_WRITES {
            // A large event (an import) is sealed on the second core while this one applies its
            // writes: serializing and hashing 70,000 writes is a tenth of a large import.
            let (applied, sealed) = std::thread::scope(|scope| {
                let sealing = scope.spawn(|| seal(&ev, keys, alongside.gives));
                let applied = apply_writes(&tx, &ev);
                (applied, sealing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            });
            applied.map_err(&e)?;
            sealed
        } else {
            let sealed = seal(&ev, keys, alongside.gives);
            apply_writes(&tx, &ev).map_err(&e)?;
            sealed
        };
        ev.hash = sealed.hash;
        ev.sig = sealed.sig;
        insert_event(&tx, &ev, &sealed.writes_json, now_ms).map_err(&e)?;
        set_local(&tx, "hlc", &hlc.to_string()).map_err(&e)?;
        for (key, value) in alongside.locals {
            set_local(&tx, key, value).map_err(&e)?;
        }
        if revokes(&ev) {
            super::trust::cut_off_revoked(&tx, now_ms).map_err(&e)?;
        }
        match sealed.stored_form {
            Some(packed) => packed.map_err(cache::CacheError::from).and_then(|packed| cache::store_packed(&tx, packed)),
            None => cache::refresh(&tx),
        }
        .map_err(cache_err(&path))?;
        tx.commit().map_err(&e)?;
        self.generation += 1;
        Ok(ev)
    }

    /// Applies other devices' events: each at most once, never across a gap in its origin's
    /// sequence, refusing one whose hash does not match its content or that contradicts a
    /// stored event (the batch fails), and setting aside one that is not signed by its laptop,
    /// is stamped far ahead of this laptop's clock or was written by a revoked laptop after its
    /// revocation (`Applied::refused`; the rest is taken).
    pub fn apply_remote(&mut self, events: &[Event], clock: &dyn Clock) -> Result<Applied> {
        Ok(self.apply_remote_events(events, clock)?.0)
    }

    /// `apply_remote`, also saying which of `events` were new and stored (by index, in the
    /// order they were applied).
    pub fn apply_remote_events(&mut self, events: &[Event], clock: &dyn Clock) -> Result<(Applied, Vec<usize>)> {
        let mut sorted: Vec<(usize, &Event)> = events.iter().enumerate().collect();
        sorted.sort_by(|(_, a), (_, b)| (&a.origin, a.seq).cmp(&(&b.origin, b.seq)));
        let now_ms = clock.now().timestamp_millis();
        let path = self.path.clone();
        let e = sql_err(&path);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&e)?;
        let mut out = Applied::default();
        let mut max_hlc = local_u64(&tx, "hlc").map_err(&e)?;
        let mut gate = super::trust::Gate::new(&tx, now_ms).map_err(&e)?;
        let mut revoked_now = false;
        // Each origin's head, read once per batch and moved along as its events are applied.
        let mut heads: BTreeMap<String, (u64, String)> = BTreeMap::new();
        let mut stored_now = Vec::new();
        let signed: Vec<crate::keys::Signed<'_>> =
            sorted.iter().map(|(_, ev)| crate::keys::Signed { key: &ev.key, hash: &ev.hash, sig: &ev.sig }).collect();
        let signature_ok = crate::keys::verify_hashes(&signed);
        for ((i, ev), signature_ok) in sorted.into_iter().zip(signature_ok) {
            let wj = writes_json(&ev.writes);
            if hash_with(ev, &wj) != ev.hash {
                return Err(StoreError::BadHash { origin: ev.origin.clone(), seq: ev.seq });
            }
            if let super::trust::Verdict::Refuse(reason) = gate.judge(&tx, ev, signature_ok).map_err(&e)? {
                tracing::warn!(origin = %ev.origin, seq = ev.seq, %reason, "an event from another laptop was refused");
                super::trust::set_aside(&tx, ev, &reason, now_ms).map_err(&e)?;
                out.refused.push(super::trust::RefusedEvent {
                    origin: ev.origin.clone(),
                    seq: ev.seq,
                    reason,
                    at_ms: now_ms,
                });
                continue;
            }
            if !heads.contains_key(&ev.origin) {
                let head: Option<(u64, String)> = tx
                    .prepare_cached("SELECT seq, hash FROM events WHERE origin = ?1 ORDER BY seq DESC LIMIT 1")
                    .and_then(|mut s| s.query_row([&ev.origin], |r| Ok((r.get(0)?, r.get(1)?))))
                    .optional()
                    .map_err(&e)?;
                heads.insert(ev.origin.clone(), head.unwrap_or((0, String::new())));
            }
            let (top, top_hash) = heads.get(&ev.origin).cloned().unwrap_or_default();
            // Past the head it cannot be stored yet (sequences are gapless).
            let stored: Option<(String, String)> = if ev.seq > top {
                None
            } else {
                tx.prepare_cached("SELECT hash, sig FROM events WHERE origin = ?1 AND seq = ?2")
                    .and_then(|mut s| s.query_row(params![ev.origin, ev.seq], |r| Ok((r.get(0)?, r.get(1)?))))
                    .optional()
                    .map_err(&e)?
            };
            if let Some((stored, stored_sig)) = stored {
                if stored == ev.hash && stored_sig.is_empty() && !ev.sig.is_empty() {
                    // Held from before signing; its laptop has signed it since (checked above).
                    tx.execute(
                        "UPDATE events SET key = ?1, sig = ?2 WHERE origin = ?3 AND seq = ?4",
                        params![ev.key, ev.sig, ev.origin, ev.seq],
                    )
                    .map_err(&e)?;
                }
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
            if revokes(ev) {
                gate.reload_cutoffs(&tx).map_err(&e)?;
                revoked_now = true;
            }
            heads.insert(ev.origin.clone(), (ev.seq, ev.hash.clone()));
            max_hlc = max_hlc.max(ev.hlc);
            out.applied += 1;
            stored_now.push(i);
        }
        set_local(&tx, "hlc", &max_hlc.to_string()).map_err(&e)?;
        if revoked_now {
            out.taken_out = super::trust::cut_off_revoked(&tx, now_ms).map_err(&e)?;
        }
        cache::refresh(&tx).map_err(cache_err(&path))?;
        tx.commit().map_err(&e)?;
        self.generation += 1;
        Ok((out, stored_now))
    }

    /// All events in log order (HLC, then origin).
    pub fn events(&self) -> Result<Vec<Event>> {
        self.read_events(&format!("{EVENT_COLUMNS} ORDER BY hlc, origin, seq"), [])
    }

    /// The last `n` events in log order, without their writes: who did what, for display
    /// (laptops' witness events and the addresses they serve at are for `verify`, the audit record and sync, not for people). An
    /// import's writes can run to megabytes and are not needed to say "runbook imported".
    pub fn recent_changes(&self, n: usize) -> Result<Vec<Event>> {
        self.recent("'[]'", n)
    }

    /// The last `n` events in log order with their writes, except writes of more than 64 KB
    /// (whole imports), which are left out, and but for laptops' witness and address events: what the
    /// Activity view lists.
    pub fn recent_events(&self, n: usize) -> Result<Vec<Event>> {
        self.recent("CASE WHEN length(writes) > 65536 THEN '[]' ELSE writes END", n)
    }

    /// The last `n` events people see, in log order, with `writes` (an SQL expression) read in
    /// place of their writes.
    fn recent(&self, writes: &str, n: usize) -> Result<Vec<Event>> {
        let limit = i64::try_from(n).unwrap_or(i64::MAX);
        let sql = EVENT_COLUMNS.replace(", writes,", &format!(", {writes},"));
        let mut out = self.read_events(
            &format!("{sql} WHERE {} ORDER BY hlc DESC, origin DESC, seq DESC LIMIT ?1", *PEOPLES_EVENTS),
            [limit],
        )?;
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

    /// How many events the log holds, from every laptop.
    pub fn event_count(&self) -> Result<u64> {
        self.conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).map_err(self.err())
    }

    /// How many of `origin`'s events after its `seq`-th were made by people: what a peer that
    /// holds `origin`'s first `seq` events still lacks of them, the laptop's own records of
    /// witnesses and addresses aside.
    pub fn people_events_after(&self, origin: &str, seq: u64) -> Result<u64> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        self.conn
            .query_row(
                &format!("SELECT count(*) FROM events WHERE origin = ?1 AND seq > ?2 AND {}", *PEOPLES_EVENTS),
                rusqlite::params![origin, seq],
                |r| r.get(0),
            )
            .map_err(self.err())
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

/// The SQL condition that leaves out what a laptop records on its own (its witnesses of the
/// others' logs, the addresses it serves at): what is left are the changes people made.
static PEOPLES_EVENTS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("kind NOT IN ('{}', '{}')", super::witness::WITNESS, crate::sync::addresses::KIND)
});

pub(super) const EVENT_COLUMNS: &str = "SELECT origin, seq, hlc, wall_ms, author_name, author_role, kind, payload, writes, prev_hash, hash, key, sig FROM events";

/// Whether an event may shut a laptop out (a revocation), after which what it wrote later goes.
fn revokes(ev: &Event) -> bool {
    ev.writes.iter().any(|w| w.entity == "member" && w.field == "upto")
}

pub(super) type RawEvent = (Event, String, String);

pub(super) fn row_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEvent> {
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
            key: r.get(11)?,
            sig: r.get(12)?,
        },
        r.get(7)?,
        r.get(8)?,
    ))
}

fn insert_event(conn: &Connection, ev: &Event, writes: &str, received_ms: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO events (origin, seq, hlc, wall_ms, author_name, author_role, kind, payload, writes, prev_hash, hash, received_ms, key, sig)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
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
        received_ms,
        ev.key,
        ev.sig
    ])?;
    Ok(())
}

/// Events that write more fields than this are applied without the runbook_cache triggers
/// (`apply_writes`).
pub(super) const BULK_WRITES: usize = 1024;

/// The merge rule of `state::State::apply`, in SQL. The runbook_cache triggers fire once per
/// row, which doubles the cost of writing a large runbook's 70,000 fields: for an event that
/// large they are dropped and created again exactly as they were, inside the same transaction
/// (no other connection ever sees the schema without them), and the stored runbook is deleted
/// once if the event changes the runbook, as they would have done.
fn apply_writes(conn: &Connection, ev: &Event) -> rusqlite::Result<()> {
    if ev.writes.len() <= BULK_WRITES {
        return apply_each(conn, ev);
    }
    let triggers: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'fields'
             AND name GLOB 'runbook_cache_on_*' ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
    }
    if ev.writes.iter().any(|w| super::records::is_runbook_entity(&w.entity)) {
        conn.execute("DELETE FROM runbook_cache", [])?;
    }
    apply_each(conn, ev)?;
    for (_, sql) in &triggers {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

/// `apply_writes`, a row at a time for additions and many rows a statement for fields.
fn apply_each(conn: &Connection, ev: &Event) -> rusqlite::Result<()> {
    let mut add = conn.prepare_cached(
        "INSERT OR IGNORE INTO members (entity, id, field, member, value, hlc, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let order = key_order(&ev.writes);
    let (sets, adds): (Vec<usize>, Vec<usize>) = order.into_iter().partition(|i| ev.writes[*i].op == WriteOp::Set);
    // Many rows a statement: a whole import's 70,000 fields are 1,100 statements, not 70,000.
    let mut chunks = sets.chunks_exact(SET_ROWS);
    if chunks.len() > 0 {
        let mut many = conn.prepare_cached(&UPSERT_MANY)?;
        for chunk in chunks.by_ref() {
            bind_sets(&mut many, ev, chunk)?;
            many.raw_execute()?;
        }
    }
    let mut one = conn.prepare_cached(&UPSERT_ONE)?;
    for i in chunks.remainder() {
        bind_sets(&mut one, ev, std::slice::from_ref(i))?;
        one.raw_execute()?;
    }
    for i in adds {
        let w = &ev.writes[i];
        add.execute(params![
            w.entity,
            w.id,
            w.field,
            member_key(&ev.origin, ev.seq, i),
            w.value.to_string(),
            ev.hlc,
            ev.origin
        ])?;
    }
    Ok(())
}

/// The writes' positions in key order (entity, id, field; equal keys in the event's order), so
/// a large event fills the B-trees sequentially; the result is the same in any order.
fn key_order(writes: &[Write]) -> Vec<usize> {
    fn key(w: &Write) -> (&str, &str, &str) {
        (w.entity.as_str(), w.id.as_str(), w.field.as_str())
    }
    // An entity's fields come together and in field order (a runbook's writes are made so):
    // sorting its runs, not each write, is the same order for a seventh of the comparisons.
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, w) in writes.iter().enumerate() {
        match runs.last_mut() {
            Some(run)
                if {
                    let prev = &writes[run.end - 1];
                    (prev.entity.as_str(), prev.id.as_str()) == (w.entity.as_str(), w.id.as_str())
                        && prev.field < w.field
                } =>
            {
                run.end = i + 1;
            }
            _ => runs.push(i..i + 1),
        }
    }
    runs.sort_by(|a, b| key(&writes[a.start]).cmp(&key(&writes[b.start])));
    let order: Vec<usize> = runs.into_iter().flatten().collect();
    if order.windows(2).all(|p| (key(&writes[p[0]]), p[0]) < (key(&writes[p[1]]), p[1])) {
        return order;
    }
    // Runs of one entity that interleave with another's (an entity split over the event).
    let mut order: Vec<usize> = (0..writes.len()).collect();
    order.sort_by(|a, b| key(&writes[*a]).cmp(&key(&writes[*b])));
    order
}

/// Field writes a statement of `apply_writes`.
const SET_ROWS: usize = 64;

/// `upsert_sql` of one row and of `SET_ROWS`, made once: every commit looks them up.
static UPSERT_ONE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| upsert_sql(1));
static UPSERT_MANY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| upsert_sql(SET_ROWS));

/// The last-writer-wins upsert of `rows` fields: the version (`?1` hlc, `?2` origin) is shared,
/// then entity, id, field and value for each row.
fn upsert_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let p = 3 + r * 4;
            format!("(?{}, ?{}, ?{}, ?{}, ?1, ?2)", p, p + 1, p + 2, p + 3)
        })
        .collect();
    format!(
        "INSERT INTO fields (entity, id, field, value, hlc, origin) VALUES {}
         ON CONFLICT (entity, id, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, origin = excluded.origin
         WHERE (excluded.hlc, excluded.origin) > (fields.hlc, fields.origin)",
        values.join(", ")
    )
}

fn bind_sets(stmt: &mut rusqlite::CachedStatement<'_>, ev: &Event, writes: &[usize]) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(1, ev.hlc)?;
    stmt.raw_bind_parameter(2, &ev.origin)?;
    // One buffer for every value: SQLite copies what is bound, and an import binds 70,000.
    let mut value = Vec::with_capacity(64);
    for (r, i) in writes.iter().enumerate() {
        let w = &ev.writes[*i];
        let p = 3 + r * 4;
        stmt.raw_bind_parameter(p, &w.entity)?;
        stmt.raw_bind_parameter(p + 1, &w.id)?;
        stmt.raw_bind_parameter(p + 2, &w.field)?;
        value.clear();
        serde_json::to_writer(&mut value, &w.value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
        stmt.raw_bind_parameter(
            p + 3,
            rusqlite::types::ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(&value)),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn w(entity: &str, id: &str, field: &str) -> Write {
        Write::set(entity, id, field, json!(null))
    }

    /// What `key_order` must equal: every write sorted by its key, equal keys in event order.
    fn sorted(writes: &[Write]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..writes.len()).collect();
        order.sort_by(|a, b| {
            let (x, y) = (&writes[*a], &writes[*b]);
            (&x.entity, &x.id, &x.field).cmp(&(&y.entity, &y.id, &y.field))
        });
        order
    }

    #[test]
    fn a_runbooks_writes_go_in_key_order_and_a_split_entity_too() {
        let rb = crate::import::import_markdown("n.md", crate::demo::synthetic_markdown(120).as_bytes())
            .expect("imports")
            .runbook;
        let writes = super::super::records::runbook_writes_sparse(&rb);
        assert_eq!(key_order(&writes), sorted(&writes));
        // An entity whose fields are split by another's, and a field written twice.
        let split = [w("task", "1.2", "a"), w("task", "1.1", "z"), w("task", "1.2", "c"), w("task", "1.2", "b")];
        assert_eq!(key_order(&split), vec![1, 0, 3, 2]);
        let twice = [w("task", "1.1", "a"), w("task", "1.1", "a"), w("phase", "1", "a")];
        assert_eq!(key_order(&twice), vec![2, 0, 1]);
    }

    proptest! {
        #[test]
        fn key_order_is_a_stable_sort_by_key(keys in proptest::collection::vec((0u8..3, 0u8..4, 0u8..5), 0..60)) {
            let writes: Vec<Write> =
                keys.iter().map(|(e, i, f)| w(&format!("e{e}"), &format!("{i}"), &format!("f{f}"))).collect();
            prop_assert_eq!(key_order(&writes), sorted(&writes));
        }
    }
}
