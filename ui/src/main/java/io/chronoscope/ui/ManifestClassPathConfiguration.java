package io.chronoscope.ui;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.webapp.Configuration;
import org.eclipse.jetty.ee10.webapp.MetaInfConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.util.resource.Resource;

/**
 * Jetty scans the jars named by {@code java.class.path} for servlet annotations, which is how
 * Vaadin registers its servlet and finds the routes. Started as {@code java -jar app.jar} with a
 * manifest {@code Class-Path} naming lib/*.jar, that property holds app.jar alone and the scan
 * would find no Vaadin at all; this adds the manifest's entries to the scan.
 */
final class ManifestClassPathConfiguration extends MetaInfConfiguration {

  @Override
  public Class<? extends Configuration> replaces() {
    return MetaInfConfiguration.class;
  }

  @Override
  public void findAndFilterContainerPaths(WebAppContext context) {
    super.findAndFilterContainerPaths(context);
    String pattern = (String) context.getAttribute(CONTAINER_JAR_PATTERN);
    if (pattern == null || pattern.isBlank()) {
      return;
    }
    Pattern include = Pattern.compile(pattern);
    Set<URI> known = new LinkedHashSet<>();
    context.getMetaData().getContainerResources().forEach(r -> known.add(r.getURI()));
    for (URI uri : manifestClassPath(System.getProperty("java.class.path", ""))) {
      if (include.matcher(uri.toString()).matches() && known.add(uri)) {
        Resource resource = context.getResourceFactory().newResource(uri);
        if (resource != null && resource.exists()) {
          context.getMetaData().addContainerResource(resource);
        }
      }
    }
  }

  /** The Class-Path entries of every jar on {@code classPath}, resolved against that jar. */
  static List<URI> manifestClassPath(String classPath) {
    List<URI> found = new ArrayList<>();
    for (String entry : classPath.split(Pattern.quote(File.pathSeparator))) {
      Path jar = Path.of(entry.isBlank() ? "." : entry);
      if (entry.isBlank() || !entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
        continue;
      }
      try (JarFile file = new JarFile(jar.toFile())) {
        Manifest manifest = file.getManifest();
        String cp = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
        if (cp == null) {
          continue;
        }
        URI base = jar.toAbsolutePath().toUri();
        for (String ref : cp.trim().split("\\s+")) {
          if (!ref.isEmpty()) {
            found.add(base.resolve(ref));
          }
        }
      } catch (IOException | IllegalArgumentException e) {
        // Not a readable jar or a malformed entry: Jetty's own scan of java.class.path still runs.
      }
    }
    return found;
  }
}
