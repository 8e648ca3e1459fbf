-- Search as a learner types: compound parts in the text vectors (weight D, made by the
-- indexer with services/catalog/compounds.py), typo tolerance over the words of the
-- catalogue, and completions from the first letters. Both extensions are PostgreSQL's own
-- contrib modules (pg_trgm: trigram index for "similar" and LIKE '%…%'; fuzzystrmatch:
-- Levenshtein distance).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- The words of titles and module titles (lower case, folded like the text vectors: ß → ss),
-- each with how many indexings used it: a misspelt query word is corrected to the nearest
-- of these (one edit for 5–8 letters, two from 9), the more frequent first.
CREATE TABLE search_words (
    word    text PRIMARY KEY,
    courses integer NOT NULL
);
CREATE INDEX search_words_similar ON search_words USING gin (word gin_trgm_ops);
-- The known words within `edits` edits of a typed one, nearest and most used first. The
-- trigram index proposes (words sharing 20 % of their trigrams: a 5-letter word with one
-- edit shares about a third, below pg_trgm's default 0.3), Levenshtein decides.
CREATE FUNCTION catalog_near_words(typed text, edits integer, n integer)
    RETURNS SETOF text LANGUAGE sql STABLE
    SET pg_trgm.similarity_threshold = 0.2
AS $$
    SELECT s.word FROM search_words s
    WHERE s.word % typed AND levenshtein_less_equal(s.word, typed, edits) <= edits
    ORDER BY levenshtein(s.word, typed), s.courses DESC, s.word LIMIT n
$$;

-- What the search box completes: course titles, skills (module titles) and places, each
-- once, with `norm` folded like the words; found by its first letters or a word's.
CREATE TABLE search_suggestions (
    kind    text    NOT NULL CHECK (kind IN ('title', 'skill', 'place')),
    label   text    NOT NULL,
    norm    text    NOT NULL,
    courses integer NOT NULL,
    PRIMARY KEY (kind, label)
);
CREATE INDEX search_suggestions_prefix ON search_suggestions (norm text_pattern_ops);
CREATE INDEX search_suggestions_words ON search_suggestions USING gin (norm gin_trgm_ops);

-- Courses indexed before: indexed again, with their compound parts, words and suggestions.
INSERT INTO search_backlog SELECT course_id FROM courses WHERE status = 'live'
    ON CONFLICT DO NOTHING;

-- Near me: where each course takes place (its own coordinates, else its postcode's or its
-- town's centre, from zll/platform/geography.py), set by the indexer; a radius search
-- narrows by latitude through the index, then by the great-circle distance.
ALTER TABLE course_ranking ADD COLUMN lat real, ADD COLUMN lon real;
CREATE INDEX course_ranking_point ON course_ranking (lat, lon) WHERE status = 'live';
