-- What the seat ledger knows of each course, learned from zll.catalog.courses.v1 only.
CREATE TABLE courses (
    course_id   text PRIMARY KEY,
    provider_id text        NOT NULL,
    revision    integer     NOT NULL,
    status      text        NOT NULL CHECK (status IN ('live', 'withdrawn')),
    capacity    integer     NOT NULL CHECK (capacity >= 0),
    start_date  date        NOT NULL,
    end_date    date        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
