-- Intake's copy of the region's catalogue, learnt from zll.catalog.courses.v1, for the
-- exports back out (open-Qcat, OOAPI). Withdrawn courses stay, marked, so an older revision
-- arriving late cannot bring them back.
CREATE TABLE catalogue (
    course_id    text        PRIMARY KEY,
    provider_id  text        NOT NULL,
    revision     integer     NOT NULL,
    live         boolean     NOT NULL,
    course       jsonb       NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalogue_live ON catalogue (provider_id, course_id) WHERE live;
CREATE INDEX catalogue_live_region ON catalogue (course_id) WHERE live;
