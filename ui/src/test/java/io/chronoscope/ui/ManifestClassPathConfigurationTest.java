package io.chronoscope.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestClassPathConfigurationTest {

  @Test
  void resolvesClassPathEntriesAgainstTheLauncherJar(@TempDir Path dir) throws Exception {
    Path launcher = dir.resolve("app/launcher.jar");
    Files.createDirectories(launcher.getParent());
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH,
        "lib/vaadin.jar file:/opt/other/classes/");
    try (OutputStream out = Files.newOutputStream(launcher);
         JarOutputStream jar = new JarOutputStream(out, manifest)) {
      jar.flush();
    }

    String classPath = String.join(File.pathSeparator, launcher.toString(), dir.resolve("missing.jar").toString(), "");

    assertThat(ManifestClassPathConfiguration.manifestClassPath(classPath)).containsExactly(
        launcher.getParent().resolve("lib/vaadin.jar").toUri(),
        java.net.URI.create("file:/opt/other/classes/"));
  }
}
