-- Customer accounts are a prefix and a number padded to six digits, so from
-- C1000000 on they outgrow the padding and sort before C999999 as text. The
-- Customers page lists the newest first by the number's length, then the
-- text; this index reads them in that order.
CREATE INDEX customers_newest_first ON customers (length(account), account);
