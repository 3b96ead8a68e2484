-- "Synchronize customers and channel requests" creates thousands of
-- customers in one transaction. It numbers their row versions itself, in
-- one statement, while `numbering_in_bulk` is set; the per-row triggers
-- stand aside meanwhile instead of updating each new customer twice more.
-- The flag is set and cleared inside that one transaction, so no other
-- connection ever sees it set.

ALTER TABLE row_version_counter ADD COLUMN numbering_in_bulk INTEGER NOT NULL DEFAULT 0
    CHECK (numbering_in_bulk IN (0, 1));

DROP TRIGGER customers_versioned_insert;
CREATE TRIGGER customers_versioned_insert AFTER INSERT ON customers
WHEN (SELECT numbering_in_bulk FROM row_version_counter) = 0 BEGIN
    UPDATE customers SET row_version = (SELECT next FROM row_version_counter) WHERE account = NEW.account;
    UPDATE row_version_counter SET next = next + 1;
END;

DROP TRIGGER customer_addresses_version_customer;
CREATE TRIGGER customer_addresses_version_customer AFTER INSERT ON customer_addresses
WHEN (SELECT numbering_in_bulk FROM row_version_counter) = 0 BEGIN
    UPDATE customers SET row_version = (SELECT next FROM row_version_counter) WHERE account = NEW.account;
    UPDATE row_version_counter SET next = next + 1;
END;
