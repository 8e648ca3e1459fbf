-- What a partner has to hear about; the first kind is feedback on its refused events.
CREATE TABLE partner_messages (
    id          bigserial PRIMARY KEY,
    partner_id  text        NOT NULL,
    kind        text        NOT NULL,
    payload     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partner_messages_partner ON partner_messages (partner_id, id);
