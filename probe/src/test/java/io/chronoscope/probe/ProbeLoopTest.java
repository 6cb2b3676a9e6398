package io.chronoscope.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.model.Report;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ProbeLoopTest {

  @Test
  void scansOnItsOwnDaemonThreadAndSurvivesAFailingConsumer() throws InterruptedException {
    BlockingQueue<Report> reports = new LinkedBlockingQueue<>();
    BlockingQueue<Thread> threads = new LinkedBlockingQueue<>();
    AtomicInteger calls = new AtomicInteger();
    Probe probe = new Probe(new ProbeConfig(null, "loop-test", 50, null));

    try (ProbeLoop loop = new ProbeLoop(probe, report -> {
      threads.add(Thread.currentThread());
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("consumer fails once on purpose");
      }
      reports.add(report);
    })) {
      Report second = reports.poll(20, TimeUnit.SECONDS);
      Report third = reports.poll(20, TimeUnit.SECONDS);

      assertThat(second).isNotNull();
      assertThat(third).isNotNull();
      assertThat(second.seq()).isEqualTo(2);
      assertThat(third.seq()).isEqualTo(3);
      assertThat(second.probeId()).isEqualTo("loop-test");
      Thread thread = threads.take();
      assertThat(thread.getName()).isEqualTo(ProbeLoop.THREAD_NAME);
      assertThat(thread.isDaemon()).isTrue();
    }
    int afterClose = calls.get();
    Thread.sleep(200);
    assertThat(calls.get()).as("no scans after close").isEqualTo(afterClose);
  }
}
