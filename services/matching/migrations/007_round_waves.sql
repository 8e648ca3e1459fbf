-- Rounds as a region runs them: the instance (offers with quotas, applications), the published
-- lottery seed, waves, each offer's cut-offs, and each learner's outcome per wave.
ALTER TABLE rounds
    ADD COLUMN seed     text,
    ADD COLUMN waves    integer NOT NULL DEFAULT 1 CHECK (waves >= 1),
    ADD COLUMN wave     integer NOT NULL DEFAULT 1 CHECK (wave >= 1),
    ADD COLUMN replaces uuid REFERENCES rounds,
    ADD COLUMN instance jsonb,   -- the request as given: what the next wave runs on
    ADD COLUMN cutoffs  jsonb;   -- {offer_id: [{group, seats, filled, cutoff, kept}]}, last wave

ALTER TABLE placements ADD COLUMN wave integer;

CREATE TABLE round_outcomes (
    round_id   uuid    NOT NULL REFERENCES rounds,
    wave       integer NOT NULL,
    learner_id text    NOT NULL,
    outcome    jsonb   NOT NULL,  -- {offer_id, wish, rank, groups, missed: [[wish, offer_id, rank, withdrawn]]}
    PRIMARY KEY (round_id, learner_id, wave)
);
