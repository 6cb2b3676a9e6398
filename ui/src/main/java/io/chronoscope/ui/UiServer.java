package io.chronoscope.ui;

import com.vaadin.flow.server.VaadinServlet;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.eclipse.jetty.ee10.webapp.MetaInfConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Vaadin UI on embedded Jetty, reachable only through the authenticating reverse proxy: every
 * request must carry {@value #PROXY_HEADER} with the shared secret, anything else gets 403.
 *
 * <p>Views are Micronaut beans looked up in {@code beans}, which must hold one
 * {@link io.chronoscope.store.TopologyStore}. The proxy forwards plain HTTP only (no WebSocket),
 * so views refresh by polling.
 */
public final class UiServer implements AutoCloseable {
  /** The header the proxy adds to every request it forwards, with the shared secret as value. */
  public static final String PROXY_HEADER = "X-Chronoscope-Proxy";

  /** ServletContext attribute under which the views' bean context is found. */
  static final String BEANS_ATTRIBUTE = ApplicationContext.class.getName();

  private static final String BUILD_INFO = "/META-INF/VAADIN/config/flow-build-info.json";
  private static final String WEB_ROOT = "io/chronoscope/ui/webroot/";

  private final ApplicationContext beans;
  private final String proxySecret;
  private Server server;

  public UiServer(ApplicationContext beans, String proxySecret) {
    this.beans = Objects.requireNonNull(beans, "beans");
    this.proxySecret = requireToken(proxySecret);
  }

  /** HTTP trims header values and may mangle non-ASCII ones: only a visible-ASCII token can match. */
  private static String requireToken(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("proxySecret must be a non-empty token, was "
          + (secret == null ? "null" : "empty"));
    }
    for (int i = 0; i < secret.length(); i++) {
      char c = secret.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        // Never echo the secret itself; its position and the offending code are enough.
        throw new IllegalArgumentException("proxySecret must be visible ASCII (0x21-0x7e), has 0x"
            + Integer.toHexString(c) + " at index " + i);
      }
    }
    return secret;
  }

  /**
   * Starts serving on {@code bindHost:port}; port 0 picks a free one.
   *
   * @return the port bound
   */
  public synchronized int start(String bindHost, int port) {
    if (server != null) {
      throw new IllegalStateException("already started on port " + boundPort());
    }
    requireProductionBundle();
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("chronoscope-ui");
    Server s = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    ServerConnector connector = new ServerConnector(s, new HttpConnectionFactory(http));
    connector.setHost(bindHost);
    connector.setPort(port);
    s.addConnector(connector);
    WebAppContext webApp = webApp();
    s.setHandler(new ProxySecretHandler(proxySecret, webApp));
    try {
      s.start();
    } catch (Exception e) {
      stopQuietly(s);
      throw new IllegalStateException("cannot start the UI on " + bindHost + ":" + port, e);
    }
    if (!servesVaadin(webApp)) {
      stopQuietly(s);
      throw new IllegalStateException("Vaadin registered no servlet: the classpath scan found no "
          + "Vaadin jars or routes in java.class.path=" + System.getProperty("java.class.path"));
    }
    server = s;
    return connector.getLocalPort();
  }

  private WebAppContext webApp() {
    WebAppContext webApp = new WebAppContext();
    webApp.setContextPath("/");
    webApp.setBaseResource(webRoot(webApp));
    // Jetty's default servlet lists directories unless told not to.
    webApp.setInitParameter("org.eclipse.jetty.servlet.Default.dirAllowed", "false");
    // Scan the classpath (jars and class folders) so Vaadin's servlet initializers find the
    // routes and register the servlet; classes come from the application class loader.
    webApp.setAttribute(MetaInfConfiguration.CONTAINER_JAR_PATTERN, ".*\\.jar|.*/classes/.*");
    webApp.setConfigurationDiscovered(true);
    webApp.addConfiguration(new ManifestClassPathConfiguration());
    webApp.setParentLoaderPriority(true);
    webApp.setThrowUnavailableOnStartupException(true);
    webApp.setAttribute(BEANS_ATTRIBUTE, beans);
    webApp.setInitParameter("productionMode", "true");
    return webApp;
  }

  /** An empty folder inside this jar: Vaadin serves everything, but Jetty wants a web root. */
  private static Resource webRoot(WebAppContext webApp) {
    URL root = UiServer.class.getResource("/" + WEB_ROOT);
    if (root == null) {
      throw new IllegalStateException("the ui jar lacks its web root " + WEB_ROOT);
    }
    return webApp.getResourceFactory().newResource(root);
  }

  /** Vaadin's initializers register the servlet only when the classpath scan found them. */
  private static boolean servesVaadin(WebAppContext webApp) {
    return Arrays.stream(webApp.getServletHandler().getServlets())
        .anyMatch(holder -> holder.getServletInstance() instanceof VaadinServlet
            || holder.getHeldClass() != null && VaadinServlet.class.isAssignableFrom(holder.getHeldClass()));
  }

  /** Fails at start, not at the first page view, when the jar was built without its frontend. */
  private static void requireProductionBundle() {
    URL info = UiServer.class.getResource(BUILD_INFO);
    if (info == null) {
      throw new IllegalStateException(BUILD_INFO + " is missing: the ui jar was built without its "
          + "production frontend bundle (build it with ./mvnw package, which runs "
          + "vaadin-maven-plugin build-frontend)");
    }
    try (InputStream in = info.openStream()) {
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (!json.replace(" ", "").contains("\"productionMode\":true")) {
        throw new IllegalStateException(BUILD_INFO + " does not enable production mode: " + json);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + info, e);
    }
  }

  private synchronized int boundPort() {
    return server == null ? -1 : ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      Server s = server;
      server = null;
      stopQuietly(s);
    }
  }

  private static void stopQuietly(Server s) {
    try {
      s.stop();
    } catch (Exception e) {
      // Best effort: whoever closes is shutting down and has nothing to retry.
    }
  }
}
