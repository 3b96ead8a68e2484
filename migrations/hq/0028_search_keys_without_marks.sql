-- The status page finds a name typed with or without its letters' marks
-- ("muller" finds "Müller", "YILMAZ" finds "Yılmaz"): the app's folding
-- (`fold_case` in src/domain/customer/search.rs) now reads marked letters
-- and Turkish ı and İ as their letter. The keys of the operations with any
-- letter outside A to Z are listed here and made again by the app when HQ
-- opens (`refold_search_keys` in src/storage/hq_db/search_keys.rs).
INSERT OR IGNORE INTO search_keys_to_refold (operation_id)
SELECT id FROM RETAILASYNCCUSTOMERV2
WHERE length(CAST(email || first_name || last_name || organization_name AS BLOB))
   <> length(email || first_name || last_name || organization_name);
