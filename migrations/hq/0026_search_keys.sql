-- The status page finds a name or an email whatever the case of its
-- letters, in any alphabet ("öberg" finds "Öberg"). SQLite's lower() changes
-- A to Z only, so the app folds the text (`fold_case` in
-- src/domain/customer/search.rs) and HQ keeps it beside each searched
-- column, in an index of its own, in place of the lower() indexes.
ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN first_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN last_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN organization_key TEXT NOT NULL DEFAULT '';

-- lower() is the app's folding for text of A to Z only; the operations
-- with any other character are listed here and folded by the app when HQ
-- opens (`refold_search_keys` in src/storage/hq_db/search_keys.rs).
UPDATE RETAILASYNCCUSTOMERV2
SET email_key = lower(email),
    first_name_key = lower(first_name),
    last_name_key = lower(last_name),
    organization_key = lower(organization_name);

CREATE TABLE search_keys_to_refold (operation_id INTEGER PRIMARY KEY);
INSERT INTO search_keys_to_refold (operation_id)
SELECT id FROM RETAILASYNCCUSTOMERV2
WHERE length(CAST(email || first_name || last_name || organization_name AS BLOB))
   <> length(email || first_name || last_name || organization_name);

DROP INDEX status_page_by_email;
DROP INDEX status_page_by_first_name;
DROP INDEX status_page_by_last_name;
DROP INDEX status_page_by_organization;
CREATE INDEX status_page_by_email ON RETAILASYNCCUSTOMERV2 (email_key);
CREATE INDEX status_page_by_first_name ON RETAILASYNCCUSTOMERV2 (first_name_key);
CREATE INDEX status_page_by_last_name ON RETAILASYNCCUSTOMERV2 (last_name_key);
CREATE INDEX status_page_by_organization ON RETAILASYNCCUSTOMERV2 (organization_key)
    WHERE organization_key <> '';
