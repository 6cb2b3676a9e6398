-- What each stored tick changed, counted when it was stored: nodes added, removed, changed, edges
-- added, removed, changed. The timeline sums these per bucket instead of decoding every delta.
-- Nullable: rows stored before this column count as zero.
ALTER TABLE deltas ADD COLUMN counts integer[];
