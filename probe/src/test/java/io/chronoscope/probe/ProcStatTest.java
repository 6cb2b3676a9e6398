package io.chronoscope.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProcStatTest {
  // Fields 3..24 after comm: state ppid pgrp session tty tpgid flags minflt cminflt majflt
  // cmajflt utime stime cutime cstime priority nice threads itreal starttime vsize rss ...
  private static final String AFTER_COMM =
      " S 17 4242 4242 0 -1 4194560 900 0 3 0 250 75 0 0 20 0 12 0 987654 123456789 2048 "
          + "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0\n";

  @Test
  void commEndsAtTheLastParenthesisAndMayHoldSpacesAndParentheses() {
    String line = "4242 (my (odd) name) x) y)" + AFTER_COMM;

    ProcStat stat = parse(line, null);

    assertThat(stat.pid()).isEqualTo(4242);
    assertThat(stat.comm()).isEqualTo("my (odd) name) x) y");
    assertThat(stat.ppid()).isEqualTo(17);
    assertThat(stat.utime()).isEqualTo(250);
    assertThat(stat.stime()).isEqualTo(75);
    assertThat(stat.startTime()).isEqualTo(987654);
    assertThat(stat.rssPages()).isEqualTo(2048);
  }

  @Test
  void kernelThreadsAreToldApartByTheirFlags() {
    assertThat(parse("1 (systemd)" + AFTER_COMM, null).kernelThread()).isFalse();
    String kthreadFlags = AFTER_COMM.replace(" 4194560 ", " 2129984 "); // PF_KTHREAD | ...
    assertThat(parse("2 (kthreadd)" + kthreadFlags, null).kernelThread()).isTrue();
  }

  @Test
  void emptyAndSpaceOnlyCommsParse() {
    assertThat(parse("1 ()" + AFTER_COMM, null).comm()).isEmpty();
    assertThat(parse("1 (  )" + AFTER_COMM, null).comm()).isEqualTo("  ");
  }

  @Test
  void knownCommIsReusedWhenTheBytesMatch() {
    String known = new String("kworker/0:1-events");
    assertThat(parse("9 (kworker/0:1-events)" + AFTER_COMM, known).comm()).isSameAs(known);
    assertThat(parse("9 (kworker/0:2-events)" + AFTER_COMM, known).comm())
        .isEqualTo("kworker/0:2-events");
  }

  @Test
  void nonAsciiCommIsDecodedAsUtf8() {
    assertThat(parse("5 (zürich ✓)" + AFTER_COMM, "zürich ✓").comm()).isEqualTo("zürich ✓");
  }

  @Test
  void malformedLinesNameTheFieldAndValue() {
    assertThatThrownBy(() -> parse("5 no-parens S 1", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(comm)");
    assertThatThrownBy(() -> parse("5 (a) S x1 2 3", null))
        .hasMessageContaining("field 4").hasMessageContaining("'x1'");
    assertThatThrownBy(() -> parse("5 (a) S 1 2 3", null))
        .hasMessageContaining("ends before field 7");
  }

  @Test
  void cmdlineJoinsArgumentsWithSpaces() {
    byte[] raw = "java\0-cp\0a b.jar\0Main\0\0".getBytes(StandardCharsets.UTF_8);
    assertThat(ProcessTable.cmdline(raw, raw.length)).isEqualTo("java -cp a b.jar Main");
    assertThat(ProcessTable.cmdline(new byte[0], 0)).isEmpty();
  }

  private static ProcStat parse(String line, String knownComm) {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    return ProcStat.parse(bytes, bytes.length, knownComm);
  }
}
