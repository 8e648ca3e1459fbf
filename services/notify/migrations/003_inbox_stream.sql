-- Live inbox: every committed inbox row is announced on `zll_notify_inbox`, so one LISTEN
-- connection per notify process can fan it out to the open Server-Sent-Event streams.
-- One notification per statement chunk (not per row): a poll batch of thousands of rows
-- costs a handful of pg_notify calls; chunks of 40 stay under PostgreSQL's 8000-byte payload.
CREATE FUNCTION notify_inbox_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zll_notify_inbox', chunk)
    FROM (
        SELECT json_agg(json_build_array(id, recipient_kind, recipient_id) ORDER BY id)::text
               AS chunk
        FROM (SELECT id, recipient_kind, recipient_id,
                     (row_number() OVER (ORDER BY id) - 1) / 40 AS part
              FROM new_rows WHERE in_inbox) numbered
        GROUP BY part
    ) chunks;
    RETURN NULL;
END
$$;

CREATE TRIGGER notifications_announce AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_inbox_rows();
