-- What counselling needs of a live course, as plain columns: a recommendation filters in
-- PostgreSQL and reads small typed rows instead of parsing every candidate's JSON (issue 5).
-- store_counselling.remember_course derives them from `course` at ingest with Python's own
-- rules. They only narrow the candidates: counselling.why_not still checks every constraint
-- on what the query returns, so a NULL filter column means "let Python decide".
ALTER TABLE course_supply
    ADD COLUMN provider_id   text,
    ADD COLUMN title         text,
    ADD COLUMN format        text,
    ADD COLUMN language      text,
    ADD COLUMN end_date      date,
    ADD COLUMN schedule      text,
    ADD COLUMN time_of_day   text,              -- counselling.time_of_day(schedule)
    ADD COLUMN price_eur     double precision,
    ADD COLUMN funding       text[],
    ADD COLUMN target_groups text[],
    ADD COLUMN lat           double precision,  -- the course's own point, when it has one
    ADD COLUMN lon           double precision,
    ADD COLUMN town          text,              -- municipality.strip().lower(): geography's key
    ADD COLUMN place         text,              -- (municipality or '').lower()
    -- [[module_id, title, workload_hours, eqf_level, [skill, ...]], ...]; text, not jsonb: it is
    -- only ever read whole, and jsonb's output function would cost more than the parse.
    ADD COLUMN modules       text;

-- Courses learned before: what SQL derives exactly as Python does. time_of_day stays NULL (no
-- filter); town and place only for printable ASCII names, where btrim and an A–Z translate
-- are exactly Python's strip() and lower() (lower() would follow the database's locale).
UPDATE course_supply SET
    provider_id   = course->>'provider_id',
    title         = course->>'title',
    format        = course->>'format',
    language      = coalesce(nullif(course->>'language', ''), 'de'),
    end_date      = (course->>'end_date')::date,
    schedule      = course->>'schedule',
    price_eur     = (course->>'price_eur')::double precision,
    funding       = ARRAY(SELECT jsonb_array_elements_text(
                        coalesce(nullif(course->'funding', 'null'), '[]'))),
    target_groups = ARRAY(SELECT jsonb_array_elements_text(
                        coalesce(nullif(course->'target_groups', 'null'), '[]'))),
    lat           = (course->'location'->>'lat')::double precision,
    lon           = (course->'location'->>'lon')::double precision,
    town          = CASE WHEN municipality ~ '^[ -~]*$' THEN translate(btrim(municipality),
                        'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') END,
    place         = CASE WHEN coalesce(municipality, '') ~ '^[ -~]*$' THEN
                        translate(coalesce(municipality, ''),
                        'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') END,
    modules       = (SELECT jsonb_agg(jsonb_build_array(m->'module_id', m->'title',
                        m->'workload_hours', m->'eqf_level', m->'skills'))
                     FROM jsonb_array_elements(course->'modules') AS m)::text
WHERE course IS NOT NULL;
