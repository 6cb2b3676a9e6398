package io.chronoscope.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.Tag;
import com.vaadin.flow.dom.DebouncePhase;
import com.vaadin.flow.dom.DomListenerRegistration;
import com.vaadin.flow.shared.Registration;
import java.util.function.LongConsumer;

/**
 * A native {@code <input type="range">} over epoch milliseconds in whole-second steps. Range and
 * value are set in one script so the browser never clamps the value against a stale min/max, and
 * the value is read from the change event only, so no server-side copy of it can go stale.
 */
@Tag("input")
final class TimeSlider extends Component {
  static final long STEP_MS = 1000;

  TimeSlider() {
    getElement().setAttribute("type", "range");
    getElement().setAttribute("step", String.valueOf(STEP_MS));
    getElement().setAttribute("aria-label", "Instant shown");
    // While the thumb is held a refresh must not move it under the user's pointer.
    getElement().executeJs("if (!this.__chronoscope) { this.__chronoscope = true;"
        + " this.addEventListener('pointerdown', () => this.__held = true);"
        + " window.addEventListener('pointerup', () => this.__held = false); }");
  }

  /**
   * Shows the range [from, to] with the thumb at {@code at} (unless the user holds it). The ends are
   * widened to whole seconds so that every step, and the right end itself, is reachable; listeners
   * clamp what they get back to the range.
   */
  void show(long from, long to, long at) {
    long min = Math.floorDiv(from, STEP_MS) * STEP_MS;
    long max = -Math.floorDiv(-to, STEP_MS) * STEP_MS;
    long value = at >= to ? max : Math.floorDiv(at, STEP_MS) * STEP_MS;
    getElement().executeJs("this.min = $0; this.max = $1; if (!this.__held) { this.value = $2; }",
        String.valueOf(min), String.valueOf(max), String.valueOf(value));
  }

  void setEnabled(boolean enabled) {
    getElement().setEnabled(enabled);
    getElement().setAttribute("disabled", !enabled);
  }

  /**
   * Called when the user starts dragging the thumb and about once a second while the drag goes
   * on (the browser draws the drag itself from the tape; the server only needs to keep out of
   * its way).
   */
  Registration addDragListener(Runnable listener) {
    DomListenerRegistration registration = getElement().addEventListener("input", e -> listener.run());
    registration.debounce(1000, DebouncePhase.LEADING, DebouncePhase.INTERMEDIATE);
    return registration;
  }

  /** Called with the instant chosen when the user lets go of the thumb. */
  Registration addInstantListener(LongConsumer listener) {
    return getElement().addEventListener("change", e -> {
      if (!e.getEventData().hasKey("element.value")) {
        return;
      }
      try {
        listener.accept(Math.round(Double.parseDouble(e.getEventData().getString("element.value"))));
      } catch (NumberFormatException ignored) {
        // Not a number: a tampered event, nothing to show for it.
      }
    }).addEventData("element.value");
  }
}
