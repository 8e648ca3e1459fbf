-- Intake: feeds a provider registered (pulled on schedule, state kept across restarts), and
-- the exporting institution a provider's documents name (a file of another one is refused).

CREATE TABLE feeds (
    provider_id       text        PRIMARY KEY,
    url               text        NOT NULL,
    format            text,                      -- NULL: detected from the document
    interval_seconds  integer     NOT NULL CHECK (interval_seconds > 0),
    -- When the next scheduled pull is due; a claim moves it on by the interval.
    next_pull_at      timestamptz NOT NULL DEFAULT now(),
    -- Whoever claimed the feed pulls it until then; another instance skips it meanwhile.
    leased_until      timestamptz,
    -- Validators of the last export taken, sent back as If-None-Match / If-Modified-Since.
    etag              text,
    last_modified     text,
    last_pulled_at    timestamptz,
    -- taken, not_modified, refused, failed
    last_outcome      text,
    last_import_id    text,
    last_error        jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX feeds_due ON feeds (next_pull_at);

CREATE TABLE provider_creators (
    provider_id  text        PRIMARY KEY,
    creator_id   text        NOT NULL,
    import_id    text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
