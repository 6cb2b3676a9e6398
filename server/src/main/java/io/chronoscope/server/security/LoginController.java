package io.chronoscope.server.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.cookie.Cookie;
import java.util.Map;

/** Log in by pasting the token; log out by dropping the session cookie. */
@Controller
public class LoginController {
  private final AccessToken token;
  private final AuthFilter auth;

  public LoginController(AccessToken token, AuthFilter auth) {
    this.token = token;
    this.auth = auth;
  }

  @Get(value = "/login", produces = MediaType.TEXT_HTML)
  public HttpResponse<String> form() {
    return LoginPage.response(HttpStatus.OK, null);
  }

  @Post(value = "/login", consumes = MediaType.APPLICATION_FORM_URLENCODED, produces = MediaType.TEXT_HTML)
  public HttpResponse<?> login(@Nullable @Body Map<String, String> form) {
    String offered = form == null ? null : form.get("token");
    if (!token.matches(offered == null ? null : offered.trim())) {
      return LoginPage.response(HttpStatus.UNAUTHORIZED, "That token is not valid.");
    }
    return HttpResponse.status(HttpStatus.SEE_OTHER)
        .header(HttpHeaders.LOCATION, "/")
        .cookie(auth.sessionCookie());
  }

  @Get("/logout")
  public HttpResponse<?> logout() {
    return HttpResponse.status(HttpStatus.SEE_OTHER)
        .header(HttpHeaders.LOCATION, "/login")
        .cookie(Cookie.of(AuthFilter.SESSION_COOKIE, "").path("/").maxAge(0));
  }
}
