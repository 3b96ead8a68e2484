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
    SELECT account, json_group_object(CAST(channel_id AS TEXT), temporary_id) AS by_channel
    FROM (
        SELECT changed AS account, channel_id, temporary_id, max(id)
        FROM (
            SELECT COALESCE(o.account, o.customer_account, c.account) AS changed, o.channel_id, o.temporary_id, o.id
            FROM RETAILASYNCCUSTOMERV2 o
            LEFT JOIN customers c ON c.async_customer_id = o.customer_temporary_id
            WHERE o.operation IN ('update', 'add_address')
              AND (o.OnlineOperationCompleted = 1 OR o.failed_for_good = 1)
        ) AS candidate
        WHERE changed IS NOT NULL
          -- Every change of the store before it settled too.
          AND NOT EXISTS (
              SELECT 1 FROM RETAILASYNCCUSTOMERV2 earlier
              WHERE earlier.channel_id = candidate.channel_id AND earlier.operation <> 'create'
                AND earlier.id < candidate.id
                AND earlier.OnlineOperationCompleted = 0 AND earlier.failed_for_good = 0
                AND (earlier.customer_account = candidate.changed
                     OR earlier.customer_temporary_id
                        = (SELECT async_customer_id FROM customers WHERE account = candidate.changed)))
        GROUP BY changed, channel_id
    )
    GROUP BY account
) AS settled
WHERE customers.account = settled.account;
