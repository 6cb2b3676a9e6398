package io.chronoscope.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.Tag;
import com.vaadin.flow.component.dependency.JsModule;
import java.util.function.LongConsumer;

/**
 * The histogram and deploy markers of {@code <chronoscope-timeline>}; it also plays the graph's
 * tape while the cursor moves or plays (see chronoscope-timeline.js).
 */
@Tag("chronoscope-timeline")
@JsModule("./chronoscope-timeline.js")
final class TimelineBar extends Component {
  TimelineBar() {
    setId("timeline-bar");
  }

  void show(Timeline t) {
    getElement().callJsFunction("setData", GraphJson.timeline(t));
  }

  void play(int speed) {
    getElement().callJsFunction("play", speed);
  }

  void stop() {
    getElement().callJsFunction("stop", false);
  }

  /** Called when playback stops: at the end, on pause, or when the user takes the cursor. */
  void onPlaybackStopped(Runnable listener) {
    getElement().addEventListener("playback-stopped", e -> listener.run());
  }

  /** Called with the instant of a deploy marker the user clicked. */
  void onMarkerClick(LongConsumer listener) {
    getElement().addEventListener("marker-click", e -> listener.accept((long) e.getEventData()
        .getNumber("event.detail.at"))).addEventData("event.detail.at");
  }
}
