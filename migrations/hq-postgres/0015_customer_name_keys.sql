-- Customers' name keys for HQ Customers' Find: see
-- migrations/hq/0029_customer_name_keys.sql. Under HQ's byte order ("C"),
-- PostgreSQL's lower() changes A to Z only too.
ALTER TABLE customers
    ADD COLUMN first_name_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN last_name_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN organization_key TEXT COLLATE "C" NOT NULL DEFAULT '';

UPDATE customers
SET first_name_key = lower(first_name),
    last_name_key = lower(last_name),
    organization_key = lower(organization_name);

CREATE TABLE customer_keys_to_refold (account TEXT COLLATE "C" PRIMARY KEY);
INSERT INTO customer_keys_to_refold (account)
SELECT account FROM customers
WHERE octet_length(first_name || last_name || organization_name)
   <> char_length(first_name || last_name || organization_name);

CREATE INDEX customers_by_first_name ON customers (first_name_key, account)
    WHERE first_name_key <> '';
CREATE INDEX customers_by_last_name ON customers (last_name_key, account)
    WHERE last_name_key <> '';
CREATE INDEX customers_by_organization ON customers (organization_key, account)
    WHERE organization_key <> '';
