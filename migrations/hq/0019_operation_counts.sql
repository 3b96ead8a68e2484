-- The status page's counts per status without counting: HQ keeps how many
-- operations each channel has of each kind in each status, changed by
-- triggers in the very transaction (P-job, sync, admin edit) that changes
-- an operation, so the counts are never behind the rows. Counting the
-- operations instead took ~75 ms at 1,000,000 on every status page.

CREATE TABLE operation_counts (
    channel_id INTEGER NOT NULL,
    operation  TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (channel_id, operation, status)
) WITHOUT ROWID;

INSERT INTO operation_counts (channel_id, operation, status, count)
SELECT channel_id, operation, status, COUNT(*)
FROM RETAILASYNCCUSTOMERV2
GROUP BY channel_id, operation, status;

CREATE TRIGGER operation_counts_insert AFTER INSERT ON RETAILASYNCCUSTOMERV2 BEGIN
    INSERT INTO operation_counts (channel_id, operation, status, count)
    VALUES (NEW.channel_id, NEW.operation, NEW.status, 1)
    ON CONFLICT DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER operation_counts_update
AFTER UPDATE OF OnlineOperationCompleted, error, channel_id, operation ON RETAILASYNCCUSTOMERV2
WHEN OLD.status IS NOT NEW.status OR OLD.channel_id IS NOT NEW.channel_id OR OLD.operation IS NOT NEW.operation
BEGIN
    UPDATE operation_counts SET count = count - 1
    WHERE channel_id = OLD.channel_id AND operation = OLD.operation AND status = OLD.status;
    INSERT INTO operation_counts (channel_id, operation, status, count)
    VALUES (NEW.channel_id, NEW.operation, NEW.status, 1)
    ON CONFLICT DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER operation_counts_delete AFTER DELETE ON RETAILASYNCCUSTOMERV2 BEGIN
    UPDATE operation_counts SET count = count - 1
    WHERE channel_id = OLD.channel_id AND operation = OLD.operation AND status = OLD.status;
END;
