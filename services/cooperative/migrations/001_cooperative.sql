-- Cooperative: what members offered (from the catalog), who took part (from enrolment),
-- the gaps matching found, and the region's calls and joint projects.

-- Every course the catalog announced, as far as offers, the report and projects need it.
CREATE TABLE offered_courses (
    course_id     text        PRIMARY KEY,
    provider_id   text        NOT NULL,
    revision      bigint      NOT NULL,
    live          boolean     NOT NULL,
    title         text        NOT NULL,
    municipality  text        NOT NULL,            -- 'online' for online courses
    skills        text[]      NOT NULL,
    field         text        NOT NULL,            -- the course's first skill: its field
    target_groups text[]      NOT NULL,
    capacity      integer     NOT NULL,
    start_date    date        NOT NULL,
    end_date      date        NOT NULL,
    project_id    text,
    first_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX offered_courses_skills ON offered_courses USING gin (skills);
CREATE INDEX offered_courses_project ON offered_courses (project_id) WHERE project_id IS NOT NULL;
CREATE INDEX offered_courses_dates ON offered_courses (start_date, end_date);

-- One row per enrolment: where it stands; learner ids only to count distinct people.
CREATE TABLE participations (
    enrolment_id  uuid        PRIMARY KEY,
    course_id     text        NOT NULL,
    learner_id    text        NOT NULL,
    status        text        NOT NULL,            -- confirmed, waitlisted, cancelled
    ever_waitlisted boolean   NOT NULL DEFAULT false,
    certificates  integer     NOT NULL DEFAULT 0,
    certified_at  timestamptz,
    occurred_at   timestamptz NOT NULL
);
CREATE INDEX participations_course ON participations (course_id);
CREATE INDEX participations_learner ON participations (learner_id);

-- The region's members as the cooperative knows them (kind: chamber, volkshochschule, …).
CREATE TABLE members (
    provider_id   text        PRIMARY KEY,
    name          text        NOT NULL,
    kind          text        NOT NULL,
    municipality  text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Gaps matching detected; an operator may open a call from one.
CREATE TABLE gaps (
    gap_id        bigserial   PRIMARY KEY,
    municipality  text        NOT NULL,
    skill         text,
    occupation    text,
    horizon       text        NOT NULL,
    demand        integer     NOT NULL,
    supply        integer     NOT NULL,
    gap           integer     NOT NULL,
    detected_at   timestamptz NOT NULL,
    call_id       text
);
CREATE INDEX gaps_detected ON gaps (detected_at);

CREATE TABLE calls (
    call_id          text        PRIMARY KEY,
    title            text        NOT NULL,
    skills           text[]      NOT NULL,
    municipalities   text[]      NOT NULL,
    target_groups    text[]      NOT NULL,
    starts_on        date        NOT NULL,
    ends_on          date        NOT NULL,
    budget_eur       numeric(12, 2),
    min_members      integer     NOT NULL,
    chamber_required boolean     NOT NULL,
    gap_id           bigint,
    opened_by        text        NOT NULL,
    opened_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
    project_id    text        PRIMARY KEY,
    call_id       text        NOT NULL REFERENCES calls,
    title         text        NOT NULL,
    state         text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE project_members (
    project_id    text        NOT NULL REFERENCES projects,
    provider_id   text        NOT NULL,
    status        text        NOT NULL,            -- invited, joined, declined
    parts         jsonb       NOT NULL,
    reasons       jsonb       NOT NULL,
    answered_at   timestamptz,
    PRIMARY KEY (project_id, provider_id)
);

CREATE TABLE project_history (
    project_id    text        NOT NULL REFERENCES projects,
    from_state    text,
    to_state      text        NOT NULL,
    changed_by    text        NOT NULL,
    changed_at    timestamptz NOT NULL
);
CREATE INDEX project_history_project ON project_history (project_id, changed_at);
