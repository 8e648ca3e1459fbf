-- Search reads a narrow copy of each course's filter columns and a small relevance vector:
-- ranking then touches ~150 bytes per candidate instead of the wide `courses` row (document,
-- full tsvector), and the table stays in shared buffers. `search` on `courses` still
-- decides what matches. A trigger keeps the copy in step with every write path.
--
-- rank_vector = title (weight A) + module titles (weight B), made from the same strings as
-- `courses.search`, so its lexemes are a subset of `search`'s: a query without `!` or a
-- phrase operator that matches rank_vector also matches search.
CREATE TABLE course_ranking (
    course_id     text PRIMARY KEY REFERENCES courses ON DELETE CASCADE,
    status        text      NOT NULL,
    provider_id   text      NOT NULL,
    format        text      NOT NULL,
    municipality  text,
    start_date    date      NOT NULL,
    price_eur     numeric(12, 2) NOT NULL,
    funding       text[]    NOT NULL,
    target_groups text[]    NOT NULL,
    skills        text[]    NOT NULL,
    eqf_levels    integer[] NOT NULL,
    rank_vector   tsvector  NOT NULL
);
CREATE INDEX course_ranking_rank ON course_ranking USING gin (rank_vector)
    WHERE status = 'live';
CREATE INDEX course_ranking_start ON course_ranking (start_date, course_id)
    WHERE status = 'live';
CREATE INDEX course_ranking_place ON course_ranking (municipality, start_date, course_id)
    WHERE status = 'live';
CREATE INDEX course_ranking_skills ON course_ranking USING gin (skills) WHERE status = 'live';
-- Courses without a place are the online ones: tell the planner, so that `format=online`
-- with a municipality is known to be empty instead of assumed independent.
CREATE STATISTICS course_ranking_place (mcv, dependencies) ON municipality, format
    FROM course_ranking;

CREATE FUNCTION course_ranking_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO course_ranking AS r (course_id, status, provider_id, format, municipality,
        start_date, price_eur, funding, target_groups, skills, eqf_levels, rank_vector)
    VALUES (NEW.course_id, NEW.status, NEW.provider_id, NEW.format, NEW.municipality,
        NEW.start_date, NEW.price_eur, NEW.funding, NEW.target_groups, NEW.skills,
        NEW.eqf_levels,
        setweight(to_tsvector('german', unaccent(NEW.title)), 'A')
        || setweight(to_tsvector('german', unaccent(coalesce(array_to_string(ARRAY(
            SELECT jsonb_array_elements_text(
                jsonb_path_query_array(NEW.document, '$.modules[*].title'))), ' '), ''))), 'B'))
    ON CONFLICT (course_id) DO UPDATE SET status = EXCLUDED.status,
        provider_id = EXCLUDED.provider_id, format = EXCLUDED.format,
        municipality = EXCLUDED.municipality, start_date = EXCLUDED.start_date,
        price_eur = EXCLUDED.price_eur, funding = EXCLUDED.funding,
        target_groups = EXCLUDED.target_groups, skills = EXCLUDED.skills,
        eqf_levels = EXCLUDED.eqf_levels, rank_vector = EXCLUDED.rank_vector;
    RETURN NULL;
END $$;

-- A withdrawal replaces `document` with the withdrawal payload, which still holds the
-- modules; only the status matters then.
CREATE TRIGGER course_ranking_sync AFTER INSERT OR UPDATE ON courses
    FOR EACH ROW EXECUTE FUNCTION course_ranking_sync();

-- Courses stored before this migration.
UPDATE courses SET status = status;

-- unaccent() is only STABLE, so `websearch_to_tsquery('german', unaccent($1))` was run again
-- for every candidate row; bound to its dictionary here it is IMMUTABLE, and a query's
-- tsquery is computed once when the statement is planned.
CREATE FUNCTION catalog_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN unaccent('unaccent'::regdictionary, $1);

-- The same for the estimate `_unranked` asks of `courses` (a rare word or a frequent one?).
CREATE STATISTICS courses_place (mcv, dependencies) ON municipality, format FROM courses;
