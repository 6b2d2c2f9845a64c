-- warroom schema 2: every event signed by its laptop's Ed25519 key, and the events refused.
-- Released migrations are never edited; add a new NNNN_name.sql instead.

-- The signer's public key and its signature over the event's hash (both hex). Empty on events
-- written before signing until their own laptop signs them (the hash, and so the chain, is
-- unchanged by signing).
ALTER TABLE events ADD COLUMN key TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN sig TEXT NOT NULL DEFAULT '';

-- Still append-only: the only change allowed is giving an unsigned event its signature once.
DROP TRIGGER events_append_only_update;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
WHEN OLD.sig <> '' OR NEW.sig = ''
  OR NEW.origin IS NOT OLD.origin OR NEW.seq IS NOT OLD.seq OR NEW.hlc IS NOT OLD.hlc
  OR NEW.wall_ms IS NOT OLD.wall_ms OR NEW.author_name IS NOT OLD.author_name
  OR NEW.author_role IS NOT OLD.author_role OR NEW.kind IS NOT OLD.kind
  OR NEW.payload IS NOT OLD.payload OR NEW.writes IS NOT OLD.writes
  OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash
  OR NEW.received_ms IS NOT OLD.received_ms
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

-- Events another laptop sent that were not taken (a bad signature, a clock far ahead, written by
-- a laptop after its revocation), or taken out again when a revocation arrived: kept for the
-- room's alarm and for whoever investigates, never merged into the state.
CREATE TABLE refused (
    origin      TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    hash        TEXT    NOT NULL,
    reason      TEXT    NOT NULL,   -- why, in English, for the alarm and the audit record
    event       TEXT    NOT NULL,   -- the event as received (JSON)
    received_ms INTEGER NOT NULL,
    PRIMARY KEY (origin, seq, hash)
) WITHOUT ROWID;
