-- The status page's counts per status without counting: HQ keeps how many
-- operations each channel has of each kind in each status, changed by
-- triggers in the very transaction (P-job, sync, admin edit) that changes
-- an operation, so the counts are never behind the rows. One trigger run
-- per statement: the P-job and the sync change thousands of rows in one.

CREATE TABLE operation_counts (
    channel_id BIGINT NOT NULL,
    operation  TEXT COLLATE "C" NOT NULL,
    status     TEXT COLLATE "C" NOT NULL,
    count      BIGINT NOT NULL,
    PRIMARY KEY (channel_id, operation, status)
);

INSERT INTO operation_counts (channel_id, operation, status, count)
SELECT channel_id, operation, status, COUNT(*)
FROM RETAILASYNCCUSTOMERV2
GROUP BY channel_id, operation, status;

CREATE FUNCTION operation_counts_insert() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO operation_counts (channel_id, operation, status, count)
    SELECT channel_id, operation, status, COUNT(*) FROM inserted GROUP BY 1, 2, 3
    ON CONFLICT (channel_id, operation, status)
    DO UPDATE SET count = operation_counts.count + EXCLUDED.count;
    RETURN NULL;
END $$;

CREATE FUNCTION operation_counts_update() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO operation_counts (channel_id, operation, status, count)
    SELECT channel_id, operation, status, SUM(n)
    FROM (SELECT channel_id, operation, status, -1 AS n FROM before_update
          UNION ALL
          SELECT channel_id, operation, status, 1 AS n FROM after_update) changes
    GROUP BY 1, 2, 3
    HAVING SUM(n) <> 0
    ON CONFLICT (channel_id, operation, status)
    DO UPDATE SET count = operation_counts.count + EXCLUDED.count;
    RETURN NULL;
END $$;

CREATE FUNCTION operation_counts_delete() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE operation_counts c SET count = c.count - d.n
    FROM (SELECT channel_id, operation, status, COUNT(*) AS n FROM deleted GROUP BY 1, 2, 3) d
    WHERE c.channel_id = d.channel_id AND c.operation = d.operation AND c.status = d.status;
    RETURN NULL;
END $$;

CREATE TRIGGER operation_counts_insert AFTER INSERT ON RETAILASYNCCUSTOMERV2
REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION operation_counts_insert();

CREATE TRIGGER operation_counts_update AFTER UPDATE ON RETAILASYNCCUSTOMERV2
REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update
FOR EACH STATEMENT EXECUTE FUNCTION operation_counts_update();

CREATE TRIGGER operation_counts_delete AFTER DELETE ON RETAILASYNCCUSTOMERV2
REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION operation_counts_delete();
