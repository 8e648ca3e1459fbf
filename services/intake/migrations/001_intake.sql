-- Intake: what each feed of a provider has published, and the report of every import.

-- The last state each feed published of each course: the revision to continue from and a
-- fingerprint of its contents, so an unchanged course publishes nothing on a re-import.
CREATE TABLE feed_courses (
    provider_id  text        NOT NULL,
    feed_id      text        NOT NULL,
    course_id    text        NOT NULL,
    revision     integer     NOT NULL,
    fingerprint  text        NOT NULL,
    live         boolean     NOT NULL,
    import_id    text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, feed_id, course_id)
);

-- One row per import (dry runs too): counts, refused records and warnings, both languages.
CREATE TABLE imports (
    import_id    text        PRIMARY KEY,
    provider_id  text        NOT NULL,
    feed_id      text        NOT NULL,
    format       text        NOT NULL,
    full_export  boolean     NOT NULL,
    dry_run      boolean     NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    new          integer     NOT NULL,
    changed      integer     NOT NULL,
    unchanged    integer     NOT NULL,
    withdrawn    integer     NOT NULL,
    refused      jsonb       NOT NULL,
    warnings     jsonb       NOT NULL
);

CREATE INDEX imports_by_provider ON imports (provider_id, created_at DESC, import_id DESC);
