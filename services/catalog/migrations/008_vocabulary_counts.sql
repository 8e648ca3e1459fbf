-- What each course added to the words and suggestions when it was last indexed
-- (vocabulary.learn), so that indexing it again changes the counts by the difference only
-- and a withdrawal takes its share away: a count is the number of live courses using the
-- word or label, and what no live course uses is no longer suggested or corrected to.
CREATE TABLE search_learned (
    course_id   text PRIMARY KEY,
    words       text[] NOT NULL DEFAULT '{}',  -- folded, as in search_words
    suggestions text[] NOT NULL DEFAULT '{}'   -- kind:label, as in search_suggestions
);

-- The counts so far grew with every indexing and never fell: counted again from the live
-- courses, by indexing them again.
TRUNCATE search_words, search_suggestions;
INSERT INTO search_backlog SELECT course_id FROM courses WHERE status = 'live'
    ON CONFLICT DO NOTHING;
