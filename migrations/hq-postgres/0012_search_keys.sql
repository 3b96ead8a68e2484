-- Search keys folded by the app: see migrations/hq/0026_search_keys.sql.
-- Under HQ's byte order ("C"), PostgreSQL's lower() changes A to Z only too.
ALTER TABLE RETAILASYNCCUSTOMERV2
    ADD COLUMN email_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN first_name_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN last_name_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN organization_key TEXT COLLATE "C" NOT NULL DEFAULT '';

UPDATE RETAILASYNCCUSTOMERV2
SET email_key = lower(email),
    first_name_key = lower(first_name),
    last_name_key = lower(last_name),
    organization_key = lower(organization_name);

CREATE TABLE search_keys_to_refold (operation_id BIGINT PRIMARY KEY);
INSERT INTO search_keys_to_refold (operation_id)
SELECT id FROM RETAILASYNCCUSTOMERV2
WHERE octet_length(email || first_name || last_name || organization_name)
   <> char_length(email || first_name || last_name || organization_name);

DROP INDEX status_page_by_email;
DROP INDEX status_page_by_first_name;
DROP INDEX status_page_by_last_name;
DROP INDEX status_page_by_organization;
CREATE INDEX status_page_by_email ON RETAILASYNCCUSTOMERV2 (email_key);
CREATE INDEX status_page_by_first_name ON RETAILASYNCCUSTOMERV2 (first_name_key);
CREATE INDEX status_page_by_last_name ON RETAILASYNCCUSTOMERV2 (last_name_key);
CREATE INDEX status_page_by_organization ON RETAILASYNCCUSTOMERV2 (organization_key)
    WHERE organization_key <> '';
