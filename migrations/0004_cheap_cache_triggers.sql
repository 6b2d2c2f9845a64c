-- warroom schema 4: the same runbook_cache triggers, without the constant IN lists of schema 3.
-- SQLite built a temporary B-tree for such a list (and for an OR of two lookups) each time a
-- trigger fired, with its own page cache, on every write of any field: most of a sync's
-- catch-up time went there. The runbook's entity kinds are now a table the triggers look up by
-- its primary key, one lookup per condition.

CREATE TABLE runbook_entities (entity TEXT PRIMARY KEY) WITHOUT ROWID;
-- As store/records.rs names them (a test holds the two together).
INSERT INTO runbook_entities (entity) VALUES
    ('runbook'), ('rollback'), ('contact'), ('phase'), ('task'), ('trigger'), ('matrix'), ('step'),
    ('metric'), ('checklist'), ('command'), ('appendix');

DROP TRIGGER runbook_cache_on_insert;
DROP TRIGGER runbook_cache_on_update;
DROP TRIGGER runbook_cache_on_delete;

CREATE TRIGGER runbook_cache_on_insert AFTER INSERT ON fields
WHEN EXISTS (SELECT 1 FROM runbook_entities WHERE entity = NEW.entity)
BEGIN DELETE FROM runbook_cache; END;

CREATE TRIGGER runbook_cache_on_update AFTER UPDATE ON fields
WHEN EXISTS (SELECT 1 FROM runbook_entities WHERE entity = NEW.entity)
  OR EXISTS (SELECT 1 FROM runbook_entities WHERE entity = OLD.entity)
BEGIN DELETE FROM runbook_cache; END;

CREATE TRIGGER runbook_cache_on_delete AFTER DELETE ON fields
WHEN EXISTS (SELECT 1 FROM runbook_entities WHERE entity = OLD.entity)
BEGIN DELETE FROM runbook_cache; END;
