-- Supply side of counselling and demand: live courses and the skills they teach, from the catalog.
CREATE TABLE course_supply (
    course_id    text PRIMARY KEY,
    revision     integer     NOT NULL,
    live         boolean     NOT NULL,
    municipality text,
    capacity     integer     NOT NULL,
    skills       text[]      NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX course_supply_skills ON course_supply USING gin (skills);
