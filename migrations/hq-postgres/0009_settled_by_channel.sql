-- For each channel, the newest of its staged changes of the customer that
-- HQ has settled (applied, or refused for good) with every change of the
-- channel's before it, as a JSON object
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
        SELECT DISTINCT ON (COALESCE(o.account, o.customer_account, c.account), o.channel_id)
               COALESCE(o.account, o.customer_account, c.account) AS account, o.channel_id, o.temporary_id
        FROM RETAILASYNCCUSTOMERV2 o
        LEFT JOIN customers c ON c.async_customer_id = o.customer_temporary_id
        WHERE o.operation IN ('update', 'add_address')
          AND (o.OnlineOperationCompleted OR o.failed_for_good)
          AND COALESCE(o.account, o.customer_account, c.account) IS NOT NULL
          -- Every change of the store before it settled too.
          AND NOT EXISTS (
              SELECT 1 FROM RETAILASYNCCUSTOMERV2 earlier
              WHERE earlier.channel_id = o.channel_id AND earlier.operation <> 'create'
                AND earlier.id < o.id
                AND NOT earlier.OnlineOperationCompleted AND NOT earlier.failed_for_good
                AND (earlier.customer_account = COALESCE(o.account, o.customer_account, c.account)
                     OR earlier.customer_temporary_id = (
                         SELECT a.async_customer_id FROM customers a
                         WHERE a.account = COALESCE(o.account, o.customer_account, c.account))))
        ORDER BY COALESCE(o.account, o.customer_account, c.account), o.channel_id, o.id DESC
    ) AS newest
    GROUP BY account
) AS settled
WHERE customers.account = settled.account;
