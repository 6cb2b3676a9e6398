package io.chronoscope.server.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.model.Report;
import io.chronoscope.probe.publish.ReportPublisher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class LoadRunTest {

  /** Keeps what it is given; counts it as accepted. */
  static final class KeepingPublisher implements ReportPublisher {
    final List<Report> reports = new ArrayList<>();
    final AtomicLong total;
    Consumer<Report> onPublish = r -> { };

    KeepingPublisher(AtomicLong total) {
      this.total = total;
    }

    @Override
    public void publish(Report report) {
      reports.add(report);
      total.incrementAndGet();
      onPublish.accept(report);
    }

    @Override
    public void close() {
    }
  }

  @Test
  void publishesOneReportPerHostEachTickEachHostThroughOnePublisher() throws Exception {
    AtomicLong accepted = new AtomicLong();
    List<KeepingPublisher> publishers = List.of(new KeepingPublisher(accepted), new KeepingPublisher(accepted));
    long[] clock = {1_790_000_000_000L};
    SimulatedWorld world = new SimulatedWorld(new WorldShape(5, 3, 6, 20, 1), clock[0], 10);
    LoadRun run = new LoadRun(world, publishers, () -> new Delivery(accepted.get(), 0, 0, 0),
        Duration.ofMillis(10), 4, null, new PrintStream(new ByteArrayOutputStream()),
        () -> clock[0] += 10);

    LoadRun.Summary summary = run.run();

    assertThat(summary.ticks()).isEqualTo(4);
    assertThat(summary.published()).isEqualTo(20);
    assertThat(summary.undelivered()).isZero();
    assertThat(world.tick()).as("the first round is the world as built").isEqualTo(3);
    for (int p = 0; p < publishers.size(); p++) {
      List<Report> got = publishers.get(p).reports;
      List<String> hosts = got.stream().map(Report::hostId).distinct().toList();
      assertThat(hosts).hasSize(p == 0 ? 3 : 2);
      for (String host : hosts) {
        assertThat(got.stream().filter(r -> r.hostId().equals(host)).map(Report::seq))
            .as("reports of host %s leave in order", host).containsExactly(1L, 2L, 3L, 4L);
      }
    }
    assertThat(publishers.get(0).reports.stream().map(Report::hostId).distinct())
        .doesNotContainAnyElementsOf(publishers.get(1).reports.stream().map(Report::hostId).toList());
  }

  @Test
  void stopEndsTheRunBeforeItsNextTick() throws Exception {
    AtomicLong accepted = new AtomicLong();
    KeepingPublisher publisher = new KeepingPublisher(accepted);
    SimulatedWorld world = new SimulatedWorld(new WorldShape(2, 2, 2, 0, 2), 0, 5);
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    LoadRun run = new LoadRun(world, List.of(publisher), () -> new Delivery(accepted.get(), 0, 0, 0),
        Duration.ofMillis(5), 0, null, new PrintStream(progress, true, StandardCharsets.UTF_8),
        System::currentTimeMillis);
    publisher.onPublish = r -> {
      if (r.seq() == 3) {
        run.stop();
      }
    };

    LoadRun.Summary summary = run.run();

    assertThat(summary.ticks()).isEqualTo(3);
    assertThat(publisher.reports).hasSize(6);
    assertThat(summary.describe()).startsWith("3 ticks, 6 reports published, 6 accepted, 0 dropped");
  }
}
