-- Tables that are not split by time in either layout. Flyway runs this in the store's schema
-- (search_path), so names are unqualified.

-- Which layout this schema was created with; the store refuses to reopen it with another.
CREATE TABLE store_settings (
  name  text PRIMARY KEY,
  value text NOT NULL
);

-- The latest tick stored per shard. Advancing it is the idempotency guard of an append: a tick
-- at or before head_at is a redelivery and stores nothing.
CREATE TABLE shard_heads (
  shard   text PRIMARY KEY,
  head_at timestamptz
);

-- One row per lifetime of an entity: "where was pod X last Tuesday". last_seen is NULL while the
-- entity is alive; it is set when a change set removes it.
CREATE TABLE entity_spans (
  shard      text        NOT NULL,
  id         text        NOT NULL,
  kind       text        NOT NULL,
  name       text        NOT NULL,
  labels     jsonb       NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen  timestamptz,
  PRIMARY KEY (shard, id, first_seen)
);
CREATE INDEX entity_spans_open ON entity_spans (shard, id) WHERE last_seen IS NULL;
CREATE INDEX entity_spans_name ON entity_spans (name);
CREATE INDEX entity_spans_last_seen ON entity_spans USING brin (last_seen);

-- The series dictionary: samples carry a small id instead of name and labels.
CREATE TABLE metric_series (
  id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name   text  NOT NULL,
  labels jsonb NOT NULL,
  UNIQUE (name, labels)
);

-- Deploy events are few (a handful an hour) and must be unique on their source's natural key
-- across all time, which a table partitioned by time cannot enforce: a plain table with a BRIN
-- index on time, pruned by DELETE.
CREATE TABLE deploy_events (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dedup_key text        NOT NULL UNIQUE,
  at        timestamptz NOT NULL,
  target    text        NOT NULL,
  payload   jsonb       NOT NULL
);
CREATE INDEX deploy_events_at ON deploy_events USING brin (at);
CREATE INDEX deploy_events_target_at ON deploy_events (target, at);
