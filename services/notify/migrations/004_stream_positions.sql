-- Live streams resume in commit order, not id order (issue 21).
--
-- With several notify instances, a transaction that took a lower `notifications.id` can
-- commit after one that took a higher id; a stream resuming "after id N" skipped it. Each
-- transaction that adds inbox rows now takes a place in `inbox_commits` *as it commits*:
-- a deferred constraint trigger runs at COMMIT, takes a transaction-level advisory lock
-- (held until the commit is visible to everyone) and only then draws the next position.
-- So positions follow the order in which commits become visible, and what any snapshot
-- sees of them is a prefix: a reader that has seen position P will never find a commit
-- below P later. A row's stream position is (its commit's position, its id).
--
-- Transactions that add inbox rows also send NOTIFY, which PostgreSQL already serialises
-- at commit; the lock adds no new point of contention, and only one row per transaction.

CREATE TABLE inbox_commits (
    position bigserial PRIMARY KEY,
    xact     xid8 NOT NULL UNIQUE
);

-- The writing transaction of each row; rows from before this migration keep NULL and sort
-- first (position 0). Set as a default afterwards, so old rows are not rewritten.
ALTER TABLE notifications ADD COLUMN xact xid8;
ALTER TABLE notifications ALTER COLUMN xact SET DEFAULT pg_current_xact_id();
CREATE INDEX notifications_inbox_xact ON notifications (recipient_kind, recipient_id, xact)
    WHERE in_inbox;

CREATE FUNCTION take_inbox_commit_position() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Fires once per inbox row at COMMIT; the first one of a transaction does the work.
    IF current_setting('zll.inbox_commit', true) IS DISTINCT FROM pg_current_xact_id()::text
    THEN
        -- Any constant; only this trigger takes it (7_146_001/2 are the platform's).
        PERFORM pg_advisory_xact_lock(7146003);
        INSERT INTO inbox_commits (xact) VALUES (pg_current_xact_id());
        PERFORM set_config('zll.inbox_commit', pg_current_xact_id()::text, true);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER notifications_commit_position AFTER INSERT ON notifications
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.in_inbox) EXECUTE FUNCTION take_inbox_commit_position();
