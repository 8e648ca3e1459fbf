-- Counselling and demand: full course details, opportunities, partners' demand, learners.
ALTER TABLE course_supply ADD COLUMN course jsonb;  -- the course as the catalog published it
ALTER TABLE course_supply ADD COLUMN start_date date;
CREATE INDEX course_supply_live_start ON course_supply (start_date) WHERE live;

CREATE TABLE opportunities (
    opportunity_id  text PRIMARY KEY,
    partner_id      text        NOT NULL,
    revision        bigint      NOT NULL,
    live            boolean     NOT NULL,
    kind            text,
    title           text,
    required_skills text[]      NOT NULL DEFAULT '{}',
    municipality    text,
    seats           integer     NOT NULL DEFAULT 0,
    start_date      date,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX opportunities_skills ON opportunities USING gin (required_skills) WHERE live;

CREATE TABLE demand_reports (
    report_id    text PRIMARY KEY,
    partner_id   text        NOT NULL,
    skill        text,
    occupation   text,
    headcount    integer     NOT NULL,
    horizon      text        NOT NULL,
    municipality text        NOT NULL,
    reported_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE learner_profiles (
    learner_id text PRIMARY KEY,
    profile    jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Skills a learner earned with a module certificate (from zll.enrolment.certified.v1).
CREATE TABLE earned_skills (
    learner_id     text NOT NULL,
    skill          text NOT NULL,
    certificate_id text NOT NULL,
    PRIMARY KEY (learner_id, skill, certificate_id)
);

-- Open waitlist entries: unmet demand for the skills of their course.
CREATE TABLE waitlist_entries (
    enrolment_id uuid PRIMARY KEY,
    course_id    text        NOT NULL,
    learner_id   text        NOT NULL,
    since        timestamptz NOT NULL
);
CREATE INDEX waitlist_entries_course ON waitlist_entries (course_id);

-- Which demand gaps are currently at or above the threshold: an event goes out once per crossing.
CREATE TABLE demand_gaps (
    municipality text        NOT NULL,
    horizon      text        NOT NULL,
    key          text        NOT NULL,
    above        boolean     NOT NULL,
    gap          integer     NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (municipality, horizon, key)
);
CREATE INDEX demand_reports_key ON demand_reports (coalesce(skill, occupation));
