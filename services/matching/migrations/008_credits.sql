-- What counselling needs to skip recognised modules on a pathway, learned from events only
-- (zll.enrolments.v1): the providers' recorded recognition declarations, the modules each
-- learner passed (from zll.enrolment.certified.v1 and the catalog's course), and each
-- provider's latest recognition decision for a learner and a course.
CREATE TABLE recognition_rules (
    provider_id    text        NOT NULL,
    declaration_id text        NOT NULL,
    course_id      text        NOT NULL,
    module_id      text        NOT NULL,
    rule           jsonb       NOT NULL,
    declared_at    timestamptz NOT NULL,
    PRIMARY KEY (provider_id, declaration_id)
);
CREATE INDEX recognition_rules_by_course ON recognition_rules (course_id);

CREATE TABLE earned_modules (
    certificate_id text             NOT NULL,
    module_id      text             NOT NULL,
    learner_id     text             NOT NULL,
    provider_id    text             NOT NULL,
    course_id      text             NOT NULL,
    title          text             NOT NULL,
    eqf_level      integer          NOT NULL,
    workload_hours double precision NOT NULL,
    skills         text[]           NOT NULL,
    completed_on   date             NOT NULL,
    PRIMARY KEY (certificate_id, module_id)
);
CREATE INDEX earned_modules_by_learner ON earned_modules (learner_id);

CREATE TABLE recognition_decisions (
    learner_id  text        NOT NULL,
    course_id   text        NOT NULL,
    decision_id text        NOT NULL,
    modules     text[]      NOT NULL,
    decided_at  timestamptz NOT NULL,
    PRIMARY KEY (learner_id, course_id)
);
