package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;

class UiServerTest {

  @Test
  void refusesSecretsThatNoHeaderCanCarry() {
    try (ApplicationContext beans = ApplicationContext.builder().start()) {
      assertThatThrownBy(() -> new UiServer(beans, null)).hasMessageContaining("non-empty");
      assertThatThrownBy(() -> new UiServer(beans, "")).hasMessageContaining("non-empty");
      assertThatThrownBy(() -> new UiServer(beans, "two words"))
          .hasMessage("proxySecret must be visible ASCII (0x21-0x7e), has 0x20 at index 3");
      assertThatThrownBy(() -> new UiServer(beans, "caf\u00e9")).hasMessageContaining("index 3");
    }
  }
}
