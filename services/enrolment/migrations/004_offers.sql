-- Timed offers down the waitlist: a course may hold a freed seat for the next one waiting
-- (`offer_hours`), who accepts or declines before a deadline kept here, so it outlives any
-- restart. A held seat counts as taken: the triggers below refuse confirmed + offered beyond
-- the capacity, as they refused confirmed alone before.

ALTER TABLE courses
    -- NULL: promotion is automatic (a freed seat is confirmed at once).
    ADD COLUMN offer_hours integer CHECK (offer_hours BETWEEN 1 AND 720),
    -- Seats held by open offers; kept by the trigger, never written by the application.
    ADD COLUMN offered integer NOT NULL DEFAULT 0 CHECK (offered >= 0);

ALTER TABLE enrolments DROP CONSTRAINT enrolments_status_check;
ALTER TABLE enrolments ADD CONSTRAINT enrolments_status_check CHECK (status IN (
    'confirmed', 'waitlisted', 'rejected', 'cancelled', 'completed',
    'offered', 'declined', 'expired'));
ALTER TABLE enrolments
    ADD COLUMN offer_expires_at timestamptz,
    -- When the offer was declined or expired: the record of why FIFO moved past it.
    ADD COLUMN offer_ended_at   timestamptz;

DROP INDEX enrolments_one_live_per_learner;
CREATE UNIQUE INDEX enrolments_one_live_per_learner
    ON enrolments (course_id, learner_id) WHERE status IN ('confirmed', 'waitlisted', 'offered');
-- The expiry sweep reads the offers due, oldest deadline first.
CREATE INDEX enrolments_offers_due ON enrolments (offer_expires_at) WHERE status = 'offered';

CREATE OR REPLACE FUNCTION enrolments_count_seats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_seat int := 0; old_wait int := 0; old_held int := 0;
    new_seat int; new_wait int; new_held int;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        old_seat := (OLD.status IN ('confirmed', 'completed'))::int;
        old_wait := (OLD.status = 'waitlisted')::int;
        old_held := (OLD.status = 'offered')::int;
    END IF;
    new_seat := (NEW.status IN ('confirmed', 'completed'))::int;
    new_wait := (NEW.status = 'waitlisted')::int;
    new_held := (NEW.status = 'offered')::int;
    IF new_seat <> old_seat OR new_wait <> old_wait OR new_held <> old_held THEN
        -- One UPDATE for all three, so accepting (offered -> confirmed) never looks like a
        -- seat added on top of the held one.
        UPDATE courses
           SET confirmed = confirmed + new_seat - old_seat,
               waitlisted = waitlisted + new_wait - old_wait,
               offered = offered + new_held - old_held
         WHERE course_id = NEW.course_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'enrolment % holds a place in unknown course %',
                NEW.enrolment_id, NEW.course_id USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;

-- A seat (confirmed or held) can only be added while one is free and the course is live.
-- Accepting an offer turns a held seat into a confirmed one and adds none, so it stands even
-- after a capacity decrease, as a confirmed seat does.
CREATE OR REPLACE FUNCTION courses_refuse_overbooking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.confirmed + NEW.offered > OLD.confirmed + OLD.offered
       AND (NEW.confirmed + NEW.offered > NEW.capacity OR NEW.status <> 'live') THEN
        RAISE EXCEPTION 'course % would be overbooked (% seats held, % offered, capacity %, %)',
            NEW.course_id, NEW.confirmed, NEW.offered, NEW.capacity, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
