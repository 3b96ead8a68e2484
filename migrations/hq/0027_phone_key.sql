-- The status page finds an operation by its phone's last digits, however
-- the phone was written ("555 0150" finds "+1 (713) 555-0150"): HQ keeps the
-- phone's digits from the last (`phone_key` in
-- src/domain/customer/search.rs), so that the phones ending with the digits
-- typed are a range of an index. SQLite cannot reverse text, so the
-- operations with a phone are listed and keyed by the app when HQ opens
-- (`refold_search_keys` in src/storage/hq_db/search_keys.rs).
ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN phone_key TEXT NOT NULL DEFAULT '';

INSERT OR IGNORE INTO search_keys_to_refold (operation_id)
SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE phone <> '';

CREATE INDEX status_page_by_phone ON RETAILASYNCCUSTOMERV2 (phone_key)
    WHERE phone_key <> '';
