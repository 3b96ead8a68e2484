-- For each channel, the newest of its staged changes of the customer that
-- HQ has settled (applied, or refused for good), as a JSON object
-- {"<channel id>": "<temporary id>"}. Job 1010 sends it with the customer:
-- a store shows as on its way exactly its own changes after that one,
-- whatever other stores changed since (last_async_operation_* name the
-- newest change of any store, which told a store nothing about its own
-- uploaded changes older than another store's).
ALTER TABLE customers ADD COLUMN settled_by_channel TEXT NOT NULL DEFAULT '{}';

-- The changes settled before this column. Not a change of the customer:
-- its version stays, and copies job 1010 wrote before keep to the newest
-- change of any store until the customer changes again.
UPDATE customers SET settled_by_channel = settled.by_channel
FROM (
    SELECT account, json_object_agg(channel_id::TEXT, temporary_id)::TEXT AS by_channel
    FROM (
        SELECT DISTINCT ON (COALESCE(account, customer_account), channel_id)
               COALESCE(account, customer_account) AS account, channel_id, temporary_id
        FROM RETAILASYNCCUSTOMERV2
        WHERE operation IN ('update', 'add_address')
          AND (OnlineOperationCompleted OR failed_for_good)
          AND COALESCE(account, customer_account) IS NOT NULL
        ORDER BY COALESCE(account, customer_account), channel_id, created_at DESC
    ) AS newest
    GROUP BY account
) AS settled
WHERE customers.account = settled.account;
