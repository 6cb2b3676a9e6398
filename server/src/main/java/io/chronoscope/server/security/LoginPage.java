package io.chronoscope.server.security;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

/** The one page served without a session: paste the token printed at start-up. */
final class LoginPage {
  private LoginPage() {}

  static MutableHttpResponse<String> response(HttpStatus status, String message) {
    String notice = message == null ? "" : "<p class=\"err\">" + escape(message) + "</p>";
    String html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Chronoscope — log in</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
          body{font-family:system-ui,sans-serif;background:#0f172a;color:#e2e8f0;display:flex;
               align-items:center;justify-content:center;height:100vh;margin:0}
          form{background:#1e293b;padding:2rem;border-radius:8px;width:26rem}
          h1{margin-top:0;font-size:1.4rem} input{width:100%%;padding:.5rem;margin:.5rem 0 1rem;
          box-sizing:border-box;font-family:monospace} button{padding:.5rem 1.2rem}
          .err{color:#fca5a5} .hint{color:#94a3b8;font-size:.85rem}
        </style></head>
        <body><form method="post" action="/login">
          <h1>Chronoscope</h1>%s
          <label for="token">Access token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" autofocus>
          <button type="submit">Log in</button>
          <p class="hint">The token is printed when Chronoscope starts, in a URL like
          http://localhost:4040/?token=…, and kept in ~/.chronoscope/token
          (or set with CHRONOSCOPE_TOKEN).</p>
        </form></body></html>
        """.formatted(notice);
    return HttpResponse.status(status).contentType(MediaType.TEXT_HTML_TYPE).body(html);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
