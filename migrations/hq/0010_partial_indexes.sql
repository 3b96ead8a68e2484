-- Most uploaded operations are creates: no customer account or temporary id
-- to change, no account until they sync, no organization for a person. The
-- indexes of those columns hold only the rows that have a value, so the
-- P-job does not write an entry per create into each of them; every query
-- that uses them names a value (`account = ?`) or says so (`<> ''`). The
-- index of pending operations likewise holds only those, so completing one
-- removes its entry instead of moving it.

DROP INDEX status_page_by_account;
CREATE INDEX status_page_by_account ON RETAILASYNCCUSTOMERV2 (account)
    WHERE account IS NOT NULL;

DROP INDEX status_page_by_customer_account;
CREATE INDEX status_page_by_customer_account ON RETAILASYNCCUSTOMERV2 (customer_account)
    WHERE customer_account IS NOT NULL;

DROP INDEX status_page_by_customer_temporary_id;
CREATE INDEX status_page_by_customer_temporary_id ON RETAILASYNCCUSTOMERV2 (customer_temporary_id)
    WHERE customer_temporary_id IS NOT NULL;

DROP INDEX status_page_by_organization;
CREATE INDEX status_page_by_organization ON RETAILASYNCCUSTOMERV2 (lower(organization_name))
    WHERE organization_name <> '';

DROP INDEX retailasynccustomerv2_pending;
CREATE INDEX retailasynccustomerv2_pending ON RETAILASYNCCUSTOMERV2 (id)
    WHERE OnlineOperationCompleted = 0;
