-- Continuous aggregates of metric samples per minute and per hour, for long ranges. CREATE
-- MATERIALIZED VIEW ... WITH (timescaledb.continuous) cannot run inside a transaction, hence the
-- .conf beside this file. Not exercised by this project's CI.

CREATE MATERIALIZED VIEW metric_samples_1m WITH (timescaledb.continuous) AS
SELECT series_id,
       time_bucket(INTERVAL '1 minute', at) AS bucket,
       avg(value) AS avg, min(value) AS min, max(value) AS max, count(*) AS samples
FROM metric_samples
GROUP BY series_id, bucket
WITH NO DATA;

SELECT add_continuous_aggregate_policy('metric_samples_1m',
  start_offset => INTERVAL '2 hours',
  end_offset => INTERVAL '1 minute',
  schedule_interval => INTERVAL '1 minute');

CREATE MATERIALIZED VIEW metric_samples_1h WITH (timescaledb.continuous) AS
SELECT series_id,
       time_bucket(INTERVAL '1 hour', at) AS bucket,
       avg(value) AS avg, min(value) AS min, max(value) AS max, count(*) AS samples
FROM metric_samples
GROUP BY series_id, bucket
WITH NO DATA;

SELECT add_continuous_aggregate_policy('metric_samples_1h',
  start_offset => INTERVAL '3 days',
  end_offset => INTERVAL '1 hour',
  schedule_interval => INTERVAL '1 hour');
