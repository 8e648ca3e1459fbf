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
