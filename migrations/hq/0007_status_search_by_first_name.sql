-- The status page's search looks up first names through an index too, like
-- last names, emails and organization names.

CREATE INDEX status_page_by_first_name ON RETAILASYNCCUSTOMERV2 (lower(first_name));
