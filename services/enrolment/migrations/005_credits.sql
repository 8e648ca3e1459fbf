-- W3C Bitstring Status List v1.0: each new certificate gets a serial number, which names its
-- list (serial / 131072) and its bit there; revocation is final, suspension can be lifted.
-- Certificates issued before keep serial NULL and their old status (checked by our own API).
CREATE SEQUENCE certificate_status_serial MINVALUE 0 START 0;

ALTER TABLE certificates
    ADD COLUMN status_serial     bigint UNIQUE,
    ADD COLUMN suspended_at      timestamptz,
    ADD COLUMN suspension_reason text;

-- Recognition between providers ("Anrechnung"): what each provider declares for its modules,
-- a learner's requests, and the providers' decisions (append-only: a decision is never
-- updated; a new one names the decision it supersedes).
CREATE TABLE recognition_declarations (
    declaration_id text        NOT NULL,
    provider_id    text        NOT NULL,
    course_id      text        NOT NULL,
    module_id      text        NOT NULL,
    rule           jsonb       NOT NULL,
    declared_at    timestamptz NOT NULL,
    PRIMARY KEY (provider_id, declaration_id)
);
CREATE INDEX recognition_declarations_by_course ON recognition_declarations (course_id);

CREATE TABLE recognition_requests (
    request_id   uuid PRIMARY KEY,
    learner_id   text        NOT NULL,
    provider_id  text        NOT NULL,
    course_id    text        NOT NULL,
    modules      text[]      NOT NULL,
    reasons      jsonb       NOT NULL,
    contact      jsonb,
    requested_at timestamptz NOT NULL
);
CREATE INDEX recognition_requests_by_learner ON recognition_requests (learner_id, course_id);

CREATE TABLE recognition_decisions (
    request_id  uuid        NOT NULL REFERENCES recognition_requests (request_id),
    seq         integer     NOT NULL,
    decision_id text        NOT NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('accepted', 'partial', 'refused')),
    modules     text[]      NOT NULL,
    reason      text        NOT NULL,
    decided_by  text        NOT NULL,
    supersedes  text,
    decided_at  timestamptz NOT NULL,
    PRIMARY KEY (request_id, seq),
    UNIQUE (request_id, decision_id)
);

-- Prior learning from outside: verified credentials of other issuers, recorded as external
-- evidence of one learner (never as a certificate of the region). One credential, one learner.
CREATE TABLE external_evidence (
    evidence_id    uuid PRIMARY KEY,
    learner_id     text        NOT NULL,
    credential_id  text        NOT NULL UNIQUE,
    issuer_id      text        NOT NULL,
    issuer_name    text        NOT NULL,
    title          text        NOT NULL,
    skills         text[]      NOT NULL,
    eqf_level      integer     NOT NULL,
    workload_hours numeric     NOT NULL,
    completed_on   date        NOT NULL,
    jwt            text        NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX external_evidence_by_learner ON external_evidence (learner_id);
