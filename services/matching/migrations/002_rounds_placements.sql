-- Allocation rounds, the placements they (or opportunity matching) propose, and who stayed unplaced.
CREATE TABLE rounds (
    round_id    uuid PRIMARY KEY,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    published   boolean     NOT NULL,
    applicants  integer     NOT NULL,
    offers      jsonb       NOT NULL,  -- [{offer_id, kind, capacity, filled}]
    assignments jsonb       NOT NULL   -- {learner_id: offer_id | null}
);

-- Unplaced applicants count as demand for what they ranked (see demand).
CREATE TABLE round_unplaced (
    round_id   uuid   NOT NULL REFERENCES rounds,
    learner_id text   NOT NULL,
    ranking    text[] NOT NULL,
    PRIMARY KEY (round_id, learner_id)
);

CREATE TABLE placements (
    placement_id uuid PRIMARY KEY,
    learner_id   text        NOT NULL,
    offer_id     text        NOT NULL,
    offer_kind   text        NOT NULL,
    round_id     uuid REFERENCES rounds,
    status       text        NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined')),
    proposed_at  timestamptz NOT NULL DEFAULT now(),
    decided_at   timestamptz,
    reason       text
);
CREATE INDEX placements_learner ON placements (learner_id);
CREATE INDEX placements_round ON placements (round_id);
