package io.chronoscope.deploys.store;

import com.fasterxml.jackson.core.type.TypeReference;
import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.model.Json;
import io.chronoscope.store.StoreUnavailableException;
import io.chronoscope.store.postgres.DeployEvents;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Deploy events in the topology's PostgreSQL ({@code deploy_events}): the whole event is the row's
 * JSON payload, its target key the indexed target column, its start the indexed time.
 */
public final class PostgresDeployEventStore implements DeployEventStore {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final DeployEvents table;

  public PostgresDeployEventStore(DeployEvents table) {
    this.table = table;
  }

  @Override
  public boolean record(DeployEvent event) {
    try {
      return table.record(row(event));
    } catch (SQLException e) {
      throw unavailable("record deploy event " + event.id(), e);
    }
  }

  @Override
  public Optional<DeployEvent> byId(String id) {
    try {
      return table.byPayloadId(id).map(PostgresDeployEventStore::event);
    } catch (SQLException e) {
      throw unavailable("read deploy event " + id, e);
    }
  }

  @Override
  public List<DeployEvent> find(DeployQuery q) {
    try {
      return table.find(q.from(), q.to(), q.target(), q.verdict(), q.limit()).stream()
          .map(PostgresDeployEventStore::event).toList();
    } catch (SQLException e) {
      throw unavailable("list deploy events", e);
    }
  }

  @Override
  public boolean updateDerived(DeployEvent event) {
    Optional<DeployEvent> stored = byId(event.id());
    if (stored.isEmpty()) {
      return false;
    }
    DeployEvent updated = stored.get().withDerived(event.deployId(), event.manual(), event.verdict());
    try {
      return table.replacePayload(updated.dedupKey(), Json.mapper().convertValue(updated, MAP));
    } catch (SQLException e) {
      throw unavailable("update deploy event " + event.id(), e);
    }
  }

  private static io.chronoscope.store.postgres.DeployEvent row(DeployEvent e) {
    return new io.chronoscope.store.postgres.DeployEvent(e.dedupKey(), e.at(), e.target().key(),
        Json.mapper().convertValue(e, MAP));
  }

  private static DeployEvent event(io.chronoscope.store.postgres.DeployEvent row) {
    return Json.mapper().convertValue(row.payload(), DeployEvent.class);
  }

  private static StoreUnavailableException unavailable(String what, SQLException e) {
    return new StoreUnavailableException("cannot " + what + " in PostgreSQL: " + e.getMessage(), e);
  }
}
