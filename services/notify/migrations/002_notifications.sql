-- Notify's own memory of the region (learned from topics) and what it told whom.

-- The course as the catalog last published it: title, dates, place, what it teaches.
CREATE TABLE courses (
    course_id   text PRIMARY KEY,
    provider_id text        NOT NULL,
    revision    bigint      NOT NULL,
    title       text        NOT NULL,
    start_date  date        NOT NULL,
    end_date    date        NOT NULL,
    place       text,
    skills      text[]      NOT NULL DEFAULT '{}',
    withdrawn   boolean     NOT NULL DEFAULT false
);
CREATE INDEX courses_skills ON courses USING gin (skills);

-- Who holds a seat or waitlist place where, so a changed course reaches its learners.
CREATE TABLE enrolled (
    enrolment_id text PRIMARY KEY,
    course_id    text NOT NULL,
    learner_id   text NOT NULL
);
CREATE INDEX enrolled_course ON enrolled (course_id);

-- How to reach a recipient and what they turned off; e-mail and locale may also come from
-- the enrolment events (contact), the preferences win.
CREATE TABLE recipients (
    recipient_kind text NOT NULL CHECK (recipient_kind IN ('learner', 'partner')),
    recipient_id   text NOT NULL,
    email          text,
    locale         text,
    pref_email     text,
    pref_locale    text,
    channels_off   text[] NOT NULL DEFAULT '{}',
    categories_off text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (recipient_kind, recipient_id)
);

CREATE TABLE webhooks (
    partner_id text PRIMARY KEY,
    url        text        NOT NULL,
    secret     text        NOT NULL,
    events     text[]      NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per (event, recipient, kind): the inbox, and the anchor of every delivery.
CREATE TABLE notifications (
    id             bigserial PRIMARY KEY,
    event_source   text        NOT NULL,
    event_id       text        NOT NULL,
    recipient_kind text        NOT NULL,
    recipient_id   text        NOT NULL,
    kind           text        NOT NULL,
    category       text        NOT NULL,
    locale         text        NOT NULL,
    subject        text        NOT NULL,
    body_text      text        NOT NULL,
    body_html      text        NOT NULL,
    data           jsonb       NOT NULL,
    in_inbox       boolean     NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    read_at        timestamptz,
    UNIQUE (event_source, event_id, recipient_kind, recipient_id, kind)
);
CREATE INDEX notifications_inbox ON notifications (recipient_kind, recipient_id, id DESC)
    WHERE in_inbox;

-- One row per (notification, channel) that leaves the house: e-mail or webhook. The
-- dispatcher claims due rows FOR UPDATE SKIP LOCKED and leases them by moving
-- next_attempt_at forward, so a crashed sender's rows come back by themselves.
CREATE TABLE deliveries (
    id              bigserial PRIMARY KEY,
    notification_id bigint      NOT NULL REFERENCES notifications (id),
    channel         text        NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient_kind  text        NOT NULL,
    recipient_id    text        NOT NULL,
    target          text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (notification_id, channel)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_recipient ON deliveries (recipient_kind, recipient_id, id DESC);

-- The skeleton's first table; feedback now lives in notifications like everything else.
DROP TABLE partner_messages;
