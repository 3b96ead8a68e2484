-- HQ Customers' Find finds a customer by the start of its first, last or
-- organization name, or by a full name ("karen ber"), whatever the case of
-- the letters and their marks: each name's key, folded by the app as the
-- status page's are (migrations/hq/0026_search_keys.sql), beside the
-- account in an index of its own, so that the newest of a common start are
-- read from the index alone. lower() is the app's folding for A to Z only;
-- the customers with any other letter are listed here and folded by the
-- app when HQ opens (`refold_customer_keys` in
-- src/storage/hq_db/search_keys.rs). The key columns are no columns the
-- row versions follow: setting them sends no customer to the channels again.
ALTER TABLE customers ADD COLUMN first_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN last_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN organization_key TEXT NOT NULL DEFAULT '';

UPDATE customers
SET first_name_key = lower(first_name),
    last_name_key = lower(last_name),
    organization_key = lower(organization_name);

CREATE TABLE customer_keys_to_refold (account TEXT PRIMARY KEY);
INSERT INTO customer_keys_to_refold (account)
SELECT account FROM customers
WHERE length(CAST(first_name || last_name || organization_name AS BLOB))
   <> length(first_name || last_name || organization_name);

CREATE INDEX customers_by_first_name ON customers (first_name_key, account)
    WHERE first_name_key <> '';
CREATE INDEX customers_by_last_name ON customers (last_name_key, account)
    WHERE last_name_key <> '';
CREATE INDEX customers_by_organization ON customers (organization_key, account)
    WHERE organization_key <> '';
