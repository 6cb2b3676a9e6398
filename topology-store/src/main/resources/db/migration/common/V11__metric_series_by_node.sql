-- Reads ask for every series of one node (a workload's series comes in one part per collector
-- when its pods run on hosts of different shards), so the dictionary is also indexed by node.
CREATE INDEX metric_series_node ON metric_series (name, (labels->>'node'));
