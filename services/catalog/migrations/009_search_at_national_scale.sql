-- Search at national scale (issue 18, 1 000 000 courses).
--
-- Ranking once per distinct ranking vector, not once per course. A course's relevance is a
-- function of its `rank_vector` (title, module titles, compound parts) and the query alone,
-- and courses share vectors: the same title runs at many places and dates. So the distinct
-- vectors are kept once, keyed by the md5 of their text, and a search ranks those that
-- match (a few hundred, not the tens of thousands of courses using them), then walks the
-- courses of the best ones by (rank_key, start_date, course_id).
CREATE TABLE search_rank_vectors (
    rank_key    uuid PRIMARY KEY,
    rank_vector tsvector NOT NULL
);
CREATE INDEX search_rank_vectors_match ON search_rank_vectors USING gin (rank_vector);

ALTER TABLE course_ranking ADD COLUMN rank_key uuid;
UPDATE course_ranking SET rank_key = md5(rank_vector::text)::uuid;
INSERT INTO search_rank_vectors (rank_key, rank_vector)
    SELECT DISTINCT ON (rank_key) rank_key, rank_vector FROM course_ranking
    ON CONFLICT DO NOTHING;
-- The filters a search uses most (place, price, EQF level, radius) are INCLUDEd, so that a
-- walk through a vector's courses, or through all courses by start date, skips those that
-- do not pass in the index alone (an index-only scan) instead of reading each row.
CREATE INDEX course_ranking_by_vector ON course_ranking (rank_key, start_date, course_id)
    INCLUDE (municipality, price_eur, eqf_levels, lat, lon) WHERE status = 'live';
DROP INDEX course_ranking_start;
CREATE INDEX course_ranking_start ON course_ranking (start_date, course_id)
    INCLUDE (municipality, price_eur, eqf_levels, lat, lon) WHERE status = 'live';
-- Courses were found through this one; now through search_rank_vectors_match. The vector
-- itself is read from there too (by rank_key): each course's copy goes.
DROP INDEX course_ranking_rank;
ALTER TABLE course_ranking DROP COLUMN rank_vector;

-- Near me: a two-dimensional index on the course's point, so that a radius with few courses
-- in it is answered from them alone (the b-tree on (lat, lon) narrowed by latitude only: a
-- band across all of Germany). A radius with many courses is walked in result order instead.
-- The point is a column of its own (not an index expression), so that counting the courses
-- in a box reads the index alone (an index-only scan).
DROP INDEX course_ranking_point;
ALTER TABLE course_ranking ADD COLUMN place point GENERATED ALWAYS AS (point(lon, lat)) STORED;
CREATE INDEX course_ranking_near ON course_ranking USING gist (place) WHERE status = 'live';
