CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TABLE providers (
    provider_id   text PRIMARY KEY,
    name          text        NOT NULL,
    kind          text        NOT NULL,
    municipality  text        NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per course offering; `document` is the course exactly as last published.
CREATE TABLE courses (
    course_id     text PRIMARY KEY,
    provider_id   text        NOT NULL REFERENCES providers,
    revision      integer     NOT NULL,
    status        text        NOT NULL CHECK (status IN ('live', 'withdrawn')),
    title         text        NOT NULL,
    format        text        NOT NULL,
    municipality  text,
    start_date    date        NOT NULL,
    end_date      date        NOT NULL,
    price_eur     numeric(12, 2) NOT NULL,
    funding       text[]      NOT NULL,
    target_groups text[]      NOT NULL,
    skills        text[]      NOT NULL,
    eqf_levels    integer[]   NOT NULL,
    search        tsvector    NOT NULL,
    document      jsonb       NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX courses_search ON courses USING gin (search);
CREATE INDEX courses_skills ON courses USING gin (skills);
CREATE INDEX courses_provider ON courses (provider_id);
CREATE INDEX courses_live_start ON courses (start_date, course_id) WHERE status = 'live';
