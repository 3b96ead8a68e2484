-- Phones by their last digits: see migrations/hq/0027_phone_key.sql.
-- PostgreSQL reverses text itself, so the keys are made here.
ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN phone_key TEXT COLLATE "C" NOT NULL DEFAULT '';

UPDATE RETAILASYNCCUSTOMERV2
SET phone_key = reverse(regexp_replace(phone, '[^0-9]', '', 'g'))
WHERE phone <> '';

CREATE INDEX status_page_by_phone ON RETAILASYNCCUSTOMERV2 (phone_key)
    WHERE phone_key <> '';
