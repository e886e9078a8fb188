-- A message its receiver acknowledged is now removed rather than marked (kit's outbox, issue
-- 14): the rows marked before are removed too, so the table holds only what is still to hand
-- over.
DELETE FROM outbox WHERE delivered_at IS NOT NULL;
