-- Ingestion stores a course and its canonical event; the search side (a German text vector,
-- GIN indexes, the ranking copy: ~250 us of a course's ~300 us in PostgreSQL) is derived
-- afterwards by the search indexer (services/catalog/indexer.py), a batch at a time on its
-- own connection, so that both run at once. `courses` is now the lean record of each course;
-- the wide table it was becomes `course_search`, kept by the indexer alone.
ALTER TABLE courses RENAME TO course_search;
DROP TRIGGER course_ranking_sync ON course_search;
DROP FUNCTION course_ranking_sync();
ALTER TABLE course_search RENAME CONSTRAINT courses_pkey TO course_search_pkey;
ALTER TABLE course_search DROP CONSTRAINT courses_provider_id_fkey;
ALTER INDEX courses_search RENAME TO course_search_text;
ALTER INDEX courses_skills RENAME TO course_search_skills;
ALTER INDEX courses_live_start RENAME TO course_search_live_start;
ALTER INDEX courses_live_municipality RENAME TO course_search_live_municipality;

CREATE TABLE courses (
    course_id   text PRIMARY KEY,
    provider_id text        NOT NULL REFERENCES providers,
    revision    integer     NOT NULL,
    status      text        NOT NULL CHECK (status IN ('live', 'withdrawn')),
    -- The course exactly as last announced (course-published or course-withdrawn payload).
    document    jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO courses (course_id, provider_id, revision, status, document, updated_at)
    SELECT course_id, provider_id, revision, status, document, updated_at FROM course_search;
CREATE INDEX courses_live_provider ON courses (provider_id) WHERE status = 'live';

-- `revision` is now the revision the search columns were made from.
ALTER TABLE course_search DROP COLUMN document, DROP COLUMN updated_at;
ALTER TABLE course_search ADD CONSTRAINT course_search_course_id_fkey
    FOREIGN KEY (course_id) REFERENCES courses ON DELETE CASCADE;
-- The array filters are selective enough checked on the rows the text index or the ranking
-- copy's indexes find; three fewer GIN indexes to keep for every course.
DROP INDEX courses_provider, courses_funding, courses_target_groups, courses_eqf_levels;

-- Courses whose search columns are due; the indexer takes rows with SKIP LOCKED, so several
-- catalog instances share the work, and a course changed while being indexed is queued again.
CREATE TABLE search_backlog (course_id text PRIMARY KEY);
