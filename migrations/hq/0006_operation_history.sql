-- The timeline of an asynchronous operation on the Customer synchronization
-- status page: each sync attempt with its outcome, and each admin's edit.

CREATE TABLE sync_attempts (
    attempt_id   INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES RETAILASYNCCUSTOMERV2 (id),
    attempted_at TEXT    NOT NULL,
    -- "Batch run 12" or "HQ admin".
    attempted_by TEXT    NOT NULL,
    outcome      TEXT    NOT NULL CHECK (outcome IN ('synced', 'failed')),
    account      TEXT,
    error        TEXT
);

CREATE INDEX sync_attempts_by_operation ON sync_attempts (operation_id, attempt_id);

CREATE TABLE operation_edits (
    edit_id      INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES RETAILASYNCCUSTOMERV2 (id),
    edited_at    TEXT    NOT NULL,
    edited_by    TEXT    NOT NULL,
    -- One line per changed field: "Email: old → new".
    changes      TEXT    NOT NULL
);

CREATE INDEX operation_edits_by_operation ON operation_edits (operation_id, edit_id);
