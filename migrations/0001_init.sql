-- warroom schema 1: the append-only event log, the merged state it produces, and local settings.
-- Released migrations are never edited; add a new NNNN_name.sql instead.

-- One row per local transaction of any device, as logged and replicated.
CREATE TABLE events (
    origin      TEXT    NOT NULL,   -- random id of the database that made it (hex)
    seq         INTEGER NOT NULL,   -- gapless per origin, from 1
    hlc         INTEGER NOT NULL,   -- hybrid logical clock: ms << 16 | counter
    wall_ms     INTEGER NOT NULL,   -- the author's wall clock
    author_name TEXT    NOT NULL,
    author_role TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,   -- JSON
    writes      TEXT    NOT NULL,   -- JSON array of field-level writes
    prev_hash   TEXT    NOT NULL,   -- hash of (origin, seq - 1), '' for seq 1
    hash        TEXT    NOT NULL,   -- SHA-256 over the event and prev_hash
    received_ms INTEGER NOT NULL,   -- this database's wall clock when stored
    PRIMARY KEY (origin, seq)
) WITHOUT ROWID;
CREATE INDEX events_by_hlc ON events (hlc, origin);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

-- Last-writer-wins registers: the current value of every field, and the version that set it.
CREATE TABLE fields (
    entity TEXT    NOT NULL,
    id     TEXT    NOT NULL,
    field  TEXT    NOT NULL,
    value  TEXT    NOT NULL,            -- JSON
    hlc    INTEGER NOT NULL,
    origin TEXT    NOT NULL,
    PRIMARY KEY (entity, id, field)
) WITHOUT ROWID;

-- Sets that only grow (comments, sign-offs, readings): a member per adding write.
CREATE TABLE members (
    entity TEXT    NOT NULL,
    id     TEXT    NOT NULL,
    field  TEXT    NOT NULL,
    member TEXT    NOT NULL,            -- origin:seq:index of the write that added it
    value  TEXT    NOT NULL,            -- JSON
    hlc    INTEGER NOT NULL,
    origin TEXT    NOT NULL,
    PRIMARY KEY (entity, id, field, member)
) WITHOUT ROWID;

-- This database's own settings: its origin id, its HLC, who uses it. Never replicated.
CREATE TABLE local (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Readable views for people who open the database with sqlite3 or a spreadsheet tool.
CREATE VIEW tasks AS
SELECT id,
       MAX(CASE WHEN field = 'phase'      THEN value ->> '$' END) AS phase,
       MAX(CASE WHEN field = 'order'      THEN value ->> '$' END) AS ord,
       MAX(CASE WHEN field = 'time'       THEN value ->> '$' END) AS time,
       MAX(CASE WHEN field = 'day'        THEN value ->> '$' END) AS day,
       MAX(CASE WHEN field = 'title'      THEN value ->> '$' END) AS title,
       MAX(CASE WHEN field = 'owner'      THEN value ->> '$' END) AS owner,
       MAX(CASE WHEN field = 'checkpoint' THEN value ->> '$' END) AS checkpoint,
       COALESCE(MAX(CASE WHEN field = 'deleted' THEN value ->> '$' END), 0) AS deleted
FROM fields WHERE entity = 'task' GROUP BY id;

CREATE VIEW phases AS
SELECT id,
       MAX(CASE WHEN field = 'order' THEN value ->> '$' END) AS ord,
       MAX(CASE WHEN field = 'label' THEN value ->> '$' END) AS label,
       MAX(CASE WHEN field = 'name'  THEN value ->> '$' END) AS name,
       MAX(CASE WHEN field = 'start' THEN value ->> '$' END) AS start,
       MAX(CASE WHEN field = 'end'   THEN value ->> '$' END) AS "end",
       COALESCE(MAX(CASE WHEN field = 'deleted' THEN value ->> '$' END), 0) AS deleted
FROM fields WHERE entity = 'phase' GROUP BY id;

CREATE VIEW event_log AS
SELECT datetime(wall_ms / 1000, 'unixepoch') AS at_utc, author_name, author_role,
       substr(origin, 1, 8) AS device, seq, kind, json_array_length(writes) AS writes
FROM events ORDER BY hlc, origin;
