-- Whether a certificate still counts, learned from zll.enrolment.certificate-revoked.v1 and
-- zll.enrolment.certificate-suspended.v1: while revoked or suspended, its modules
-- (earned_modules) and skills (earned_skills) count for no pathway and no recommendation.
-- `as_of` is the latest suspension change heard, so an older one changes nothing.
CREATE TABLE certificate_standing (
    certificate_id text        PRIMARY KEY,
    learner_id     text        NOT NULL,
    revoked        boolean     NOT NULL DEFAULT false,
    suspended      boolean     NOT NULL DEFAULT false,
    as_of          timestamptz,
    counts         boolean     NOT NULL  -- services/matching/domain/standing.py decides
);
CREATE INDEX certificate_standing_by_learner ON certificate_standing (learner_id);
