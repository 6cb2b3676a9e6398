-- The API finds a deploy event by the id derived from its dedup key (kept in the payload), and
-- stitching and judging rewrite the payload's derived parts in place by that id.
CREATE UNIQUE INDEX deploy_events_event_id ON deploy_events ((payload->>'id'));
