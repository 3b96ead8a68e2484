-- The Customer synchronization status page over a million operations: a
-- status to count and filter by, keyset pages in time order under each
-- filter, and the search box (exact ids and accounts, name and email prefixes).

ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN status TEXT GENERATED ALWAYS AS (
    CASE
        WHEN OnlineOperationCompleted = 1 THEN 'synced'
        WHEN error IS NOT NULL THEN 'failed'
        ELSE 'pending_sync'
    END
) VIRTUAL;

CREATE INDEX status_page_by_time ON RETAILASYNCCUSTOMERV2 (created_at, temporary_id);
CREATE INDEX status_page_by_status ON RETAILASYNCCUSTOMERV2 (status, created_at, temporary_id);
CREATE INDEX status_page_by_account ON RETAILASYNCCUSTOMERV2 (account);
CREATE INDEX status_page_by_customer_account ON RETAILASYNCCUSTOMERV2 (customer_account);
CREATE INDEX status_page_by_customer_temporary_id ON RETAILASYNCCUSTOMERV2 (customer_temporary_id);
CREATE INDEX status_page_by_email ON RETAILASYNCCUSTOMERV2 (lower(email));
CREATE INDEX status_page_by_last_name ON RETAILASYNCCUSTOMERV2 (lower(last_name));
CREATE INDEX status_page_by_organization ON RETAILASYNCCUSTOMERV2 (lower(organization_name));
