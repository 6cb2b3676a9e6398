package io.chronoscope.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The API and UI token, Jupyter style: set by {@code CHRONOSCOPE_TOKEN}, else generated once and
 * kept in {@code <home>/token} (mode 600). Also signs session cookies, so a browser that logged
 * in once with the token stays logged in across restarts until the cookie expires.
 */
public final class AccessToken {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String token;
  private final byte[] sessionKey;

  public AccessToken(String token) {
    if (token == null || token.length() < 16) {
      throw new IllegalArgumentException("token must be at least 16 characters");
    }
    this.token = token;
    this.sessionKey = hmac(token.getBytes(StandardCharsets.UTF_8), "chronoscope-session-key");
  }

  /** The token from the environment value if given, else from {@code home/token}, created if missing. */
  public static AccessToken load(String fromEnv, Path home) {
    return load(fromEnv, home, "token");
  }

  /** The token from the environment value if given, else from {@code home/fileName}, created (mode 600) if missing. */
  public static AccessToken load(String fromEnv, Path home, String fileName) {
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new AccessToken(fromEnv.trim());
    }
    Path file = home.resolve(fileName);
    try {
      if (Files.exists(file)) {
        return new AccessToken(Files.readString(file).trim());
      }
      Files.createDirectories(home);
      String generated = randomToken();
      Files.writeString(file, generated + "\n");
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // Not a POSIX file system: the file keeps the platform's default permissions.
      }
      return new AccessToken(generated);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the token file " + file, e);
    }
  }

  public static String randomToken() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public String value() {
    return token;
  }

  public boolean matches(String candidate) {
    return candidate != null && MessageDigest.isEqual(
        token.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
  }

  /** A session cookie value valid until {@code expiresAtMs}: {@code expiry.signature}. */
  public String newSession(long expiresAtMs) {
    String expiry = Long.toString(expiresAtMs);
    return expiry + "." + sign(expiry);
  }

  public boolean validSession(String cookie, long now) {
    if (cookie == null) {
      return false;
    }
    int dot = cookie.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    String expiry = cookie.substring(0, dot);
    byte[] expected = sign(expiry).getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(expected, cookie.substring(dot + 1).getBytes(StandardCharsets.UTF_8))) {
      return false;
    }
    try {
      return Long.parseLong(expiry) > now;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private String sign(String value) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(sessionKey, value));
  }

  private static byte[] hmac(byte[] key, String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
