-- An operation HQ refused for good: one whose failure no correction of its
-- fields can mend (made older than a change HQ applied since, for a
-- customer HQ does not have, or under an id used for another change). A
-- customer's later changes wait for an earlier one that failed until an
-- admin corrects it, but not for one that failed for good.
ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN failed_for_good BOOLEAN NOT NULL DEFAULT FALSE;
