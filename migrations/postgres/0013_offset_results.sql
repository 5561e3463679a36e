-- Offsets (issue 17): a record and its reversal on one side form a result of kind 'offset' (its
-- records all in left_record_ids or all in right_record_ids).
ALTER TABLE reconciliation_results DROP CONSTRAINT reconciliation_results_kind_check;
ALTER TABLE reconciliation_results ADD CONSTRAINT reconciliation_results_kind_check
  CHECK (kind IN ('one_to_one', 'one_to_many', 'many_to_one', 'offset', 'unmatched_left', 'unmatched_right'));
