-- The course's price as the catalog publishes it, so an enrolment for the modules that remain
-- after recognition can say what it costs (recognition.remaining_price). NULL for a course
-- learned before this column: known again with its next revision.
ALTER TABLE courses ADD COLUMN price_eur double precision;
