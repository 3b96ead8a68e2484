-- Keys made again without the letters' marks: see
-- migrations/hq/0028_search_keys_without_marks.sql.
INSERT INTO search_keys_to_refold (operation_id)
SELECT id FROM RETAILASYNCCUSTOMERV2
WHERE octet_length(email || first_name || last_name || organization_name)
   <> char_length(email || first_name || last_name || organization_name)
ON CONFLICT (operation_id) DO NOTHING;
