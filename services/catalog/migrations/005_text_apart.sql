-- The full text vector gets a table of its own; `course_ranking` becomes the one table of
-- filter columns. Before, `course_search` and `course_ranking` each kept the filter columns
-- with their own indexes, a second upsert per course for the indexer. Ranking still reads
-- only the narrow rows; the ~1 KB vector is read where a search must check it.
ALTER TABLE course_ranking ADD COLUMN title text, ADD COLUMN end_date date,
    ADD COLUMN revision integer;
UPDATE course_ranking r SET title = s.title, end_date = s.end_date, revision = s.revision
    FROM course_search s WHERE s.course_id = r.course_id;
ALTER TABLE course_ranking ALTER COLUMN title SET NOT NULL,
    ALTER COLUMN end_date SET NOT NULL, ALTER COLUMN revision SET NOT NULL;
ALTER TABLE course_ranking DROP CONSTRAINT course_ranking_course_id_fkey;
ALTER TABLE course_ranking ADD CONSTRAINT course_ranking_course_id_fkey
    FOREIGN KEY (course_id) REFERENCES courses ON DELETE CASCADE;

-- What stays of `course_search` is the text: id, vector, GIN.
DELETE FROM course_search s WHERE NOT EXISTS (
    SELECT 1 FROM course_ranking r WHERE r.course_id = s.course_id);
ALTER TABLE course_search DROP COLUMN provider_id, DROP COLUMN revision, DROP COLUMN status,
    DROP COLUMN title, DROP COLUMN format, DROP COLUMN municipality, DROP COLUMN start_date,
    DROP COLUMN end_date, DROP COLUMN price_eur, DROP COLUMN funding,
    DROP COLUMN target_groups, DROP COLUMN skills, DROP COLUMN eqf_levels;
ALTER TABLE course_search RENAME TO course_text;
ALTER TABLE course_text RENAME CONSTRAINT course_search_pkey TO course_text_pkey;
ALTER INDEX course_search_text RENAME TO course_text_search;
