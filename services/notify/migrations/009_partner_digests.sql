-- Partner e-mails about refusals and import reports go out as a digest: at most one per
-- partner address and interval. Each notice waits here (it is in the inbox and sent by
-- webhook at once); the digester turns a partner's waiting notices into one e-mail.
CREATE TABLE digest_items (
    notification_id bigint      PRIMARY KEY REFERENCES notifications (id),
    recipient_kind  text        NOT NULL,
    recipient_id    text        NOT NULL,
    target          text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX digest_items_by_address ON digest_items (recipient_kind, recipient_id, target);

-- When each partner address last got a digest: the next one waits for the interval.
CREATE TABLE digests_sent (
    recipient_kind  text        NOT NULL,
    recipient_id    text        NOT NULL,
    target          text        NOT NULL,
    last_at         timestamptz NOT NULL,
    PRIMARY KEY (recipient_kind, recipient_id, target)
);
