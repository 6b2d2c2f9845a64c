-- warroom schema 3: the runbook read back from its fields, kept serialized beside them, so that
-- reading it (every `warroom status`) is one row and one parse instead of regrouping every field.

-- At most one row. Absent means "read the fields": any change of a runbook field deletes it
-- (the triggers below, whoever writes), and warroom writes it again in the same transaction.
CREATE TABLE runbook_cache (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    json TEXT    NOT NULL                -- the Runbook as JSON; 'null' while none was imported
);

-- The runbook's entity kinds, as store/records.rs names them (a test holds the two together).
CREATE TRIGGER runbook_cache_on_insert AFTER INSERT ON fields
WHEN NEW.entity IN ('runbook', 'rollback', 'contact', 'phase', 'task', 'trigger', 'matrix', 'step', 'metric', 'checklist', 'command', 'appendix')
BEGIN DELETE FROM runbook_cache; END;

CREATE TRIGGER runbook_cache_on_update AFTER UPDATE ON fields
WHEN NEW.entity IN ('runbook', 'rollback', 'contact', 'phase', 'task', 'trigger', 'matrix', 'step', 'metric', 'checklist', 'command', 'appendix')
  OR OLD.entity IN ('runbook', 'rollback', 'contact', 'phase', 'task', 'trigger', 'matrix', 'step', 'metric', 'checklist', 'command', 'appendix')
BEGIN DELETE FROM runbook_cache; END;

CREATE TRIGGER runbook_cache_on_delete AFTER DELETE ON fields
WHEN OLD.entity IN ('runbook', 'rollback', 'contact', 'phase', 'task', 'trigger', 'matrix', 'step', 'metric', 'checklist', 'command', 'appendix')
BEGIN DELETE FROM runbook_cache; END;
