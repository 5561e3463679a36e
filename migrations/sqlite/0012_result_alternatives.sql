-- Held matches (issue 17): a result the engine would have auto-confirmed but held as suggested says
-- why ("amount_difference": its sums differ beyond the rules' auto-confirm tolerance; "ambiguous": a
-- competing explanation of its records scores close to it; NULL: not held), and every result keeps
-- the competing explanations a reviewer should see, best first:
-- [{"left_ids": [...], "right_ids": [...], "confidence": 0.93}, ...]. '[]' for results written before.
ALTER TABLE reconciliation_results ADD COLUMN held TEXT;
ALTER TABLE reconciliation_results ADD COLUMN alternatives TEXT NOT NULL DEFAULT '[]';
