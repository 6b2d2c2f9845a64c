//! The runbook's serialized form, kept beside its fields (`runbook_cache`, schema 3): reading
//! the runbook is then one row and one parse, where regrouping a 10,000-task runbook's 70,000
//! fields took most of a `warroom status`. The triggers of `migrations/0003_runbook_cache.sql` (as
//! `0004_cheap_cache_triggers.sql` rewrote them) delete the row whenever a runbook field changes,
//! whoever writes (an event of thousands of writes deletes it once itself: `log::apply_writes`);
//! every transaction of the store's write paths ends with `refresh`, which writes it again from
//! the fields as they stand in that transaction, or with `store` when the transaction knows the
//! runbook its fields give (a first import). So the row, when present, is the runbook the
//! fields give. Since schema 5 the row holds the JSON packed with LZ4 (a BLOB, a tenth of the
//! text's size): it is a cache, not a record, and a 10,000-task runbook's 2.9 MB of JSON was a
//! quarter of what a large import wrote, twice over (the WAL, then the checkpoint). A row of
//! text, as schema 4 wrote it, still reads.

use super::records;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;
use warroom_model::Runbook;

/// Why the cached runbook could not be read or written.
#[derive(Debug, thiserror::Error)]
pub(super) enum CacheError {
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// A stored value does not parse, or the runbook does not serialize.
    #[error("the runbook's stored form does not parse: {0}")]
    Json(#[from] serde_json::Error),
    /// A runbook field does not read back into the model.
    #[error(transparent)]
    Record(#[from] records::RecordError),
    /// The packed row does not unpack.
    #[error("the runbook's stored form does not unpack: {0}")]
    Unpack(String),
}

/// More than any runbook warroom imports gives as JSON: a larger size in a packed row is damage,
/// not something to allocate.
const UNPACKED_LIMIT: usize = 1 << 30;

/// The runbook's JSON as the row holds it.
pub(super) fn pack(json: &[u8]) -> Vec<u8> {
    lz4_flex::compress_prepend_size(json)
}

/// The runbook as the cache holds it: `None` when the row is absent (read the fields),
/// `Some(None)` when the fields hold no runbook yet.
pub(super) fn cached(conn: &Connection) -> Result<Option<Option<Runbook>>, CacheError> {
    let mut stmt = conn.prepare_cached("SELECT json FROM runbook_cache WHERE one = 1")?;
    let mut rows = stmt.query([])?;
    let Some(row) = rows.next()? else { return Ok(None) };
    match row.get_ref(0)? {
        // Parsed where SQLite holds it: the text of a large runbook is megabytes.
        ValueRef::Text(text) => Ok(Some(serde_json::from_slice(text)?)),
        ValueRef::Blob(packed) => {
            let (size, _) =
                lz4_flex::block::uncompressed_size(packed).map_err(|e| CacheError::Unpack(e.to_string()))?;
            if size > UNPACKED_LIMIT {
                return Err(CacheError::Unpack(format!("it claims {size} bytes")));
            }
            let json = lz4_flex::decompress_size_prepended(packed).map_err(|e| CacheError::Unpack(e.to_string()))?;
            Ok(Some(serde_json::from_slice(&json)?))
        }
        other => Err(CacheError::Unpack(format!("a {:?} value", other.data_type()))),
    }
}

/// The runbook rebuilt from its fields, as they stand on `conn` (in its transaction, if any).
pub(super) fn from_fields(conn: &Connection) -> Result<Option<Runbook>, CacheError> {
    let sql = format!(
        "SELECT entity, id, field, value FROM fields WHERE entity IN ({}) ORDER BY entity, id, field",
        records::runbook_entities_sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([])?;
    let mut fields = Vec::new();
    while let Some(r) = rows.next()? {
        let key = (r.get(0)?, r.get(1)?, r.get(2)?);
        let text = r
            .get_ref(3)?
            .as_str()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, e.into()))?;
        fields.push((key, serde_json::from_str::<Value>(text)?));
    }
    Ok(records::runbook_from_fields(fields.iter().map(|(k, v)| (k, v)))?)
}

/// Writes the row again when a change of the runbook (or the schema's upgrade) removed it: called
/// inside each write transaction, before it commits, so the row commits or rolls back with the
/// fields it was read from. Fields that do not read back leave it absent, so that reading the
/// runbook reports them as before, rather than failing the write that stored them.
pub(super) fn refresh(conn: &Connection) -> Result<(), CacheError> {
    let present: Option<i64> =
        conn.prepare_cached("SELECT one FROM runbook_cache WHERE one = 1")?.query_row([], |r| r.get(0)).optional()?;
    if present.is_some() {
        return Ok(());
    }
    let runbook = match from_fields(conn) {
        Ok(rb) => rb,
        Err(CacheError::Record(e)) => {
            tracing::warn!(error = %e, "the runbook's fields do not read back; it is not cached");
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let json = serde_json::to_vec(&runbook)?;
    conn.prepare_cached("INSERT INTO runbook_cache (one, json) VALUES (1, ?1)")?.execute([pack(&json)])?;
    Ok(())
}

/// Writes the row: a runbook, serialized and packed (`pack`), known to be what the fields now
/// give. A first import's fields are exactly its runbook's writes (records' round trip, tested
/// over the corpus), so they need not be read back from 70,000 fields of a large runbook.
pub(super) fn store_packed(conn: &Connection, packed: Vec<u8>) -> Result<(), CacheError> {
    conn.prepare_cached("INSERT OR REPLACE INTO runbook_cache (one, json) VALUES (1, ?1)")?.execute([packed])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Store, StoreError};
    use crate::demo;
    use crate::live::actions::Actions;
    use crate::test_support::{clock, lan};
    use serde_json::json;
    use warroom_model::Write;
    use warroom_model::api::EditKind;

    /// The runbook as `runbook` reads it, after checking that it came from the stored form and
    /// that this is what a full rebuild from the fields gives.
    fn read(s: &Store) -> warroom_model::Runbook {
        let cached = super::cached(&s.conn).unwrap().expect("the runbook's stored form is present");
        let rebuilt = s.runbook_from_fields().unwrap();
        assert_eq!(cached, rebuilt, "the stored form is the runbook the fields give");
        assert_eq!(s.runbook().unwrap(), rebuilt);
        rebuilt.expect("a runbook")
    }

    fn owner(s: &Store, task: &str) -> String {
        read(s).tasks().find(|t| t.id == task).map(|t| t.owner.clone()).unwrap_or_default()
    }

    #[test]
    fn the_stored_runbook_follows_imports_edits_syncs_and_rollbacks() {
        let c = clock();
        let mut a = Store::open_in_memory().unwrap();
        assert_eq!(super::cached(&a.conn).unwrap(), Some(None), "a fresh database: no runbook, said in one row");
        let demo = demo::runbook().unwrap();
        a.import(&demo, &lan(), false, &c).unwrap();
        assert_eq!(read(&a), demo.runbook, "after an import");

        Actions::new(&mut a, lan(), &c).edit_set(EditKind::Task, "2.3", &[("owner".into(), "QA Lead".into())]).unwrap();
        assert_eq!(owner(&a, "2.3"), "QA Lead", "after an edit of a task");

        let mut b = Store::open_in_memory().unwrap();
        b.apply_remote(&a.events().unwrap(), &c).unwrap();
        assert_eq!(read(&b), read(&a), "after a sync");

        c.advance(chrono::Duration::minutes(1));
        let edit =
            a.commit(&lan(), "runbook.edit", json!({}), vec![Write::set("task", "2.3", "owner", json!("DBA"))], &c);
        let edit = edit.unwrap();
        b.apply_remote(std::slice::from_ref(&edit), &c).unwrap();
        assert_eq!(owner(&b, "2.3"), "DBA", "after a remote edit");

        // A batch whose second event was changed after it was made is refused whole: the first,
        // already applied inside the transaction (and the stored form with it), is rolled back.
        c.advance(chrono::Duration::minutes(1));
        let first =
            a.commit(&lan(), "runbook.edit", json!({}), vec![Write::set("task", "2.3", "owner", json!("Dev"))], &c);
        let mut forged = a
            .commit(&lan(), "runbook.edit", json!({}), vec![Write::set("task", "2.4", "owner", json!("x"))], &c)
            .unwrap();
        forged.writes[0].value = json!("Mallory");
        let refused = b.apply_remote(&[first.unwrap(), forged], &c).unwrap_err();
        assert!(matches!(refused, StoreError::BadHash { .. }), "{refused}");
        assert_eq!(owner(&b, "2.3"), "DBA", "after a rolled-back transaction");

        // A write that loses to a later one changes nothing, the stored form included.
        let rebuilt = b.rebuild().unwrap();
        assert!(!rebuilt.fields.is_empty());
        assert_eq!(owner(&b, "2.3"), "DBA", "after rebuilding the state from the log");
    }

    #[test]
    fn a_large_write_leaves_the_triggers_as_they_were_and_the_stored_form_right() {
        let c = clock();
        let mut s = Store::open_in_memory().unwrap();
        let triggers = |s: &Store| -> Vec<(String, String)> {
            let mut stmt =
                s.conn.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name").unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
        };
        let before = triggers(&s);
        assert_eq!(before.iter().filter(|(n, _)| n.starts_with("runbook_cache_on_")).count(), 3);
        let big = crate::import::import_markdown("big.md", demo::synthetic_markdown(2000).as_bytes()).unwrap();
        let ev = s.import(&big, &lan(), false, &c).unwrap();
        assert!(ev.writes.len() > super::super::log::BULK_WRITES, "{} writes", ev.writes.len());
        assert_eq!(triggers(&s), before, "after a large import");
        assert_eq!(read(&s), big.runbook);

        // A large change of the runbook (every task renamed) drops the stored form and stores it again.
        let mut renamed = big.clone();
        for p in &mut renamed.runbook.phases {
            for t in &mut p.tasks {
                t.title.push_str(" (v2)");
            }
        }
        c.advance(chrono::Duration::minutes(1));
        let ev = s.import(&renamed, &lan(), true, &c).unwrap();
        assert!(ev.writes.len() > super::super::log::BULK_WRITES, "{} writes", ev.writes.len());
        assert_eq!(triggers(&s), before, "after a large re-import");
        assert!(read(&s).tasks().all(|t| t.title.ends_with(" (v2)")));

        // The same event arriving at another laptop is applied the same way.
        let mut b = Store::open_in_memory().unwrap();
        b.apply_remote(&s.events().unwrap(), &c).unwrap();
        assert_eq!(triggers(&b), before, "after a large sync");
        assert_eq!(read(&b), read(&s));

        // And a write from outside still drops the stored form: the triggers are in place.
        s.conn
            .execute(
                "UPDATE fields SET value = '\"Someone\"' WHERE entity = 'task' AND id = '1.1' AND field = 'owner'",
                [],
            )
            .unwrap();
        assert_eq!(super::cached(&s.conn).unwrap(), None);
        assert_eq!(s.runbook().unwrap().unwrap().tasks().find(|t| t.id == "1.1").unwrap().owner, "Someone");
    }

    #[test]
    fn a_write_from_outside_warroom_is_not_hidden_by_the_stored_form() {
        let c = clock();
        let mut s = Store::open_in_memory().unwrap();
        s.import(&demo::runbook().unwrap(), &lan(), false, &c).unwrap();
        read(&s);
        s.conn
            .execute(
                "UPDATE fields SET value = '\"Someone\"' WHERE entity = 'task' AND id = '2.3' AND field = 'owner'",
                [],
            )
            .unwrap();
        assert_eq!(super::cached(&s.conn).unwrap(), None, "the trigger dropped the stored form");
        let rb = s.runbook().unwrap().unwrap();
        assert_eq!(rb.tasks().find(|t| t.id == "2.3").unwrap().owner, "Someone");
        // The next write of any kind stores it again.
        s.commit(&lan(), "k", json!(null), vec![Write::set("task_run", "r/1.1", "status", json!("done"))], &c).unwrap();
        assert_eq!(owner(&s, "2.3"), "Someone");
    }

    #[test]
    fn a_database_from_before_the_stored_form_gets_it_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut s = Store::open(&path).unwrap();
            s.import(&demo::runbook().unwrap(), &lan(), false, &clock()).unwrap();
            // As schema 2 left it.
            s.conn
                .execute_batch(
                    "DROP TRIGGER runbook_cache_on_insert; DROP TRIGGER runbook_cache_on_update;
                     DROP TRIGGER runbook_cache_on_delete; DROP TABLE runbook_cache; DROP TABLE runbook_entities;
                     PRAGMA user_version = 2;",
                )
                .unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(read(&s), demo::runbook().unwrap().runbook);
    }

    #[test]
    fn the_stored_form_is_packed_and_a_row_of_text_from_schema_4_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("four.db");
        let demo = demo::runbook().unwrap().runbook;
        let json = serde_json::to_string(&demo).unwrap();
        {
            let mut s = Store::open(&path).unwrap();
            s.import(&demo::runbook().unwrap(), &lan(), false, &clock()).unwrap();
            let (kind, size): (String, usize) = s
                .conn
                .query_row("SELECT typeof(json), length(json) FROM runbook_cache", [], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap();
            assert_eq!(kind, "blob");
            assert!(size * 3 < json.len(), "packed {size} bytes of {} bytes of JSON", json.len());
            assert_eq!(read(&s), demo);
            // As schema 4 left it: the JSON as text.
            s.conn.execute("UPDATE runbook_cache SET json = ?1", [&json]).unwrap();
            s.conn.pragma_update(None, "user_version", 4).unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(super::cached(&s.conn).unwrap(), Some(Some(demo.clone())), "the text row reads");
        assert_eq!(s.runbook().unwrap(), Some(demo));
        let version: i64 = s.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, 5);
    }

    #[test]
    fn a_damaged_packed_row_says_the_database_is_damaged_and_allocates_nothing_it_claims() {
        let mut s = Store::open_in_memory().unwrap();
        s.import(&demo::runbook().unwrap(), &lan(), false, &clock()).unwrap();
        let packed: Vec<u8> = s.conn.query_row("SELECT json FROM runbook_cache", [], |r| r.get(0)).unwrap();
        let mut cut = packed.clone();
        cut.truncate(packed.len() / 2);
        s.conn.execute("UPDATE runbook_cache SET json = ?1", [&cut]).unwrap();
        let err = s.runbook().unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("does not unpack"), "{err}");
        // A size of 4 GB in front of the packed bytes is refused before any allocation.
        let mut huge = packed;
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        s.conn.execute("UPDATE runbook_cache SET json = ?1", [&huge]).unwrap();
        let err = s.runbook().unwrap_err();
        assert!(err.to_string().contains("claims 4294967295 bytes"), "{err}");
    }

    #[test]
    fn the_triggers_look_up_exactly_the_runbooks_entities() {
        let s = Store::open_in_memory().unwrap();
        let mut stmt = s.conn.prepare("SELECT entity FROM runbook_entities ORDER BY entity").unwrap();
        let mut table: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        let mut ours: Vec<String> =
            super::records::runbook_entities_sql().split(", ").map(|e| e.trim_matches('\'').to_owned()).collect();
        table.sort();
        ours.sort();
        assert_eq!(table, ours, "the triggers' table is records' list");
        let sql = include_str!("../../../../migrations/0004_cheap_cache_triggers.sql");
        assert_eq!(sql.matches("FROM runbook_entities WHERE").count(), 4);
        assert!(!sql.contains(" IN ("), "a constant IN list costs a temporary B-tree per fired trigger");
    }
}
