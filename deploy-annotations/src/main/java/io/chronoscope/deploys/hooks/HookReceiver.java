package io.chronoscope.deploys.hooks;

import io.chronoscope.deploys.DeployEvent;
import java.util.List;

/**
 * One source of deploy webhooks ({@code POST /api/v1/hooks/<source>}): checks that a request came
 * from the source, then reads the events it describes. Both throw
 * {@link io.chronoscope.collector.api.ApiException}: 401 from {@link #verify}, 400 naming the
 * field from {@link #parse}.
 */
public interface HookReceiver {
  String source();

  /** Checks the signature or token against the source's secret, on the raw bytes. */
  void verify(HookRequest request, String secret);

  /** The events in a verified request; {@link Parsed#ignored} says why there are none. */
  Parsed parse(HookRequest request);

  /** Events read from one delivery, or the reason it holds none (a ping, a push, ...). */
  record Parsed(List<DeployEvent> events, String ignored) {
    public static Parsed of(DeployEvent... events) {
      return new Parsed(List.of(events), null);
    }

    public static Parsed ignored(String why) {
      return new Parsed(List.of(), why);
    }
  }
}
