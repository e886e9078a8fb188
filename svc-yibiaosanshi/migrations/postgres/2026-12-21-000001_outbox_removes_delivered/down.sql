-- Removed messages had been delivered; there is nothing to bring back.
SELECT 1;
