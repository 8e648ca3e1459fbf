-- Proof that an erasure was asked for and announced, without the learner's id.
CREATE TABLE erasure_requests (
    id           bigserial PRIMARY KEY,
    learner_hash text        NOT NULL,
    requested_at timestamptz NOT NULL,
    requested_by text        NOT NULL
);
