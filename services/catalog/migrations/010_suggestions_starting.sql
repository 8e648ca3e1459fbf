-- Completions from the first letters read the b-tree alone (an index-only scan of the
-- labels starting with them, with what orders and answers them INCLUDEd), and the query
-- asks for the range itself (`~>=~`/`~<~`, which only this index serves): as `LIKE 'grun%'`
-- the planner took the trigram index and rechecked ~27 000 rows for 1 503 matches (300 000
-- labels, 2026-12-04: p50 10–16 → 3.9 ms).
DROP INDEX search_suggestions_prefix;
CREATE INDEX search_suggestions_starting ON search_suggestions (norm text_pattern_ops)
    INCLUDE (courses, kind, label);
