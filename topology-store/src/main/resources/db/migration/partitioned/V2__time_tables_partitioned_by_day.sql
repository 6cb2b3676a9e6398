-- Plain PostgreSQL: the time-indexed tables are range-partitioned by day. The store creates each
-- day's partition ahead of the first write into it and enforces retention by dropping whole
-- partitions, which frees space at once and leaves no dead rows to vacuum.

-- A complete graph every keyframe interval: gzip-compressed JSON of its nodes and edges.
CREATE TABLE keyframes (
  shard    text        NOT NULL,
  at       timestamptz NOT NULL,
  graph    bytea       NOT NULL,
  elements integer     NOT NULL,
  PRIMARY KEY (shard, at)
) PARTITION BY RANGE (at);
CREATE INDEX keyframes_at ON keyframes USING brin (at);

-- One row per tick that changed something: its change set as gzip-compressed JSON.
CREATE TABLE deltas (
  shard   text        NOT NULL,
  at      timestamptz NOT NULL,
  changes bytea       NOT NULL,
  size    integer     NOT NULL,
  PRIMARY KEY (shard, at)
) PARTITION BY RANGE (at);
CREATE INDEX deltas_at ON deltas USING brin (at);

CREATE TABLE metric_samples (
  series_id bigint           NOT NULL,
  at        timestamptz      NOT NULL,
  value     double precision NOT NULL,
  PRIMARY KEY (series_id, at)
) PARTITION BY RANGE (at);
CREATE INDEX metric_samples_at ON metric_samples USING brin (at);
