-- W3C Bitstring Status List v1.0: each new certificate gets a serial number, which names its
-- list (serial / 131072) and its bit there; revocation is final, suspension can be lifted.
-- Certificates issued before keep serial NULL and their old status (checked by our own API).
CREATE SEQUENCE certificate_status_serial MINVALUE 0 START 0;

ALTER TABLE certificates
    ADD COLUMN status_serial     bigint UNIQUE,
    ADD COLUMN suspended_at      timestamptz,
    ADD COLUMN suspension_reason text;
