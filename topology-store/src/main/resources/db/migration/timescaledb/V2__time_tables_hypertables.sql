-- TimescaleDB: the same tables as hypertables with one-day chunks. Not exercised by this
-- project's CI (TimescaleDB is not packaged in Debian); see the README.

CREATE TABLE keyframes (
  shard    text        NOT NULL,
  at       timestamptz NOT NULL,
  graph    bytea       NOT NULL,
  elements integer     NOT NULL,
  PRIMARY KEY (shard, at)
);
SELECT create_hypertable('keyframes', 'at', chunk_time_interval => INTERVAL '1 day');

CREATE TABLE deltas (
  shard   text        NOT NULL,
  at      timestamptz NOT NULL,
  changes bytea       NOT NULL,
  size    integer     NOT NULL,
  PRIMARY KEY (shard, at)
);
SELECT create_hypertable('deltas', 'at', chunk_time_interval => INTERVAL '1 day');

CREATE TABLE metric_samples (
  series_id bigint           NOT NULL,
  at        timestamptz      NOT NULL,
  value     double precision NOT NULL,
  PRIMARY KEY (series_id, at)
);
SELECT create_hypertable('metric_samples', 'at', chunk_time_interval => INTERVAL '1 day');

-- Keyframes and deltas are gzip already; samples compress well by series. Chunks older than a
-- day are compressed in the background.
ALTER TABLE metric_samples SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'series_id',
  timescaledb.compress_orderby = 'at DESC'
);
SELECT add_compression_policy('metric_samples', compress_after => INTERVAL '1 day');
