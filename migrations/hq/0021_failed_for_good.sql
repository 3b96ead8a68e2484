-- An operation HQ refused for good: one whose failure no correction of its
-- fields can mend (made older than a change HQ applied since, for a
-- customer HQ does not have, or under an id used for another change). A
-- customer's later changes wait for an earlier one that failed until an
-- admin corrects it, but not for one that failed for good.
ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN failed_for_good BOOLEAN NOT NULL DEFAULT FALSE;

-- The failures recorded before, by the reasons HQ gave them
-- (`SyncFailure::is_final`).
UPDATE RETAILASYNCCUSTOMERV2 SET failed_for_good = TRUE
WHERE OnlineOperationCompleted = FALSE AND error IS NOT NULL
  AND (error LIKE '% was changed in real time at %'
       OR error LIKE '% was changed by an update made at %'
       OR error LIKE 'Operation id % was already used for another change %'
       OR error LIKE 'No create with temporary id %'
       OR error = 'The operation names no customer to change.'
       OR error = 'An address addition must carry exactly one address.'
       OR (error LIKE 'Customer % does not exist in HQ.' AND error NOT LIKE 'Customer group %'));
