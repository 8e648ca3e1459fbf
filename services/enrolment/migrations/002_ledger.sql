-- The seat ledger: enrolments per course, seat counters the database itself keeps honest,
-- module certificates and the region's signing keys.

ALTER TABLE courses
    ADD COLUMN title      text  NOT NULL DEFAULT '',
    ADD COLUMN modules    jsonb NOT NULL DEFAULT '[]'::jsonb,
    -- Seats held (confirmed or completed) and waitlist places; kept by the trigger below,
    -- never written by the application.
    ADD COLUMN confirmed  integer NOT NULL DEFAULT 0 CHECK (confirmed >= 0),
    ADD COLUMN waitlisted integer NOT NULL DEFAULT 0 CHECK (waitlisted >= 0);

CREATE TABLE enrolments (
    enrolment_id uuid PRIMARY KEY,
    -- Arrival order: the waitlist is first come, first served by this number.
    seq          bigserial   NOT NULL UNIQUE,
    course_id    text        NOT NULL,
    learner_id   text        NOT NULL,
    status       text        NOT NULL
        CHECK (status IN ('confirmed', 'waitlisted', 'rejected', 'cancelled', 'completed')),
    source       text        NOT NULL CHECK (source IN ('http', 'provider', 'placement')),
    placement_id text,
    reason_code  text,
    reason       text,
    cancelled_by text,
    contact      jsonb,
    requested_at timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
-- One live enrolment per learner and course, whatever path the request took.
CREATE UNIQUE INDEX enrolments_one_live_per_learner
    ON enrolments (course_id, learner_id) WHERE status IN ('confirmed', 'waitlisted');
CREATE INDEX enrolments_waitlist ON enrolments (course_id, seq) WHERE status = 'waitlisted';
CREATE INDEX enrolments_by_course ON enrolments (course_id, seq);
CREATE INDEX enrolments_by_learner ON enrolments (learner_id, created_at);

-- Keep courses.confirmed / courses.waitlisted equal to the enrolments, row by row.
CREATE FUNCTION enrolments_count_seats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_seat int := 0; old_wait int := 0; new_seat int; new_wait int;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        old_seat := (OLD.status IN ('confirmed', 'completed'))::int;
        old_wait := (OLD.status = 'waitlisted')::int;
    END IF;
    new_seat := (NEW.status IN ('confirmed', 'completed'))::int;
    new_wait := (NEW.status = 'waitlisted')::int;
    IF new_seat <> old_seat OR new_wait <> old_wait THEN
        UPDATE courses
           SET confirmed = confirmed + new_seat - old_seat,
               waitlisted = waitlisted + new_wait - old_wait
         WHERE course_id = NEW.course_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'enrolment % holds a place in unknown course %',
                NEW.enrolment_id, NEW.course_id USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER enrolments_count_seats AFTER INSERT OR UPDATE OF status ON enrolments
    FOR EACH ROW EXECUTE FUNCTION enrolments_count_seats();

-- Invariant 1 in the database: a seat can only be added while the course has one free and
-- is not withdrawn. A capacity decrease below `confirmed` is allowed (no seat is revoked),
-- but then no further seat can be added until cancellations bring it under capacity.
CREATE FUNCTION courses_refuse_overbooking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.confirmed > OLD.confirmed
       AND (NEW.confirmed > NEW.capacity OR NEW.status <> 'live') THEN
        RAISE EXCEPTION 'course % would be overbooked (% seats held, capacity %, %)',
            NEW.course_id, NEW.confirmed, NEW.capacity, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER courses_refuse_overbooking BEFORE UPDATE ON courses
    FOR EACH ROW EXECUTE FUNCTION courses_refuse_overbooking();

CREATE TABLE certificates (
    certificate_id text PRIMARY KEY,
    enrolment_id   uuid        NOT NULL UNIQUE REFERENCES enrolments (enrolment_id),
    learner_id     text        NOT NULL,
    course_id      text        NOT NULL,
    provider_id    text        NOT NULL,
    kid            text        NOT NULL,
    credential     jsonb       NOT NULL,
    jwt            text        NOT NULL,
    issued_at      timestamptz NOT NULL,
    revoked_at     timestamptz,
    revocation_reason text
);
CREATE INDEX certificates_by_learner ON certificates (learner_id, issued_at);

-- Development only: the region's signing key generated on first use when none is configured.
CREATE TABLE signing_keys (
    kid         text PRIMARY KEY,
    private_jwk jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
