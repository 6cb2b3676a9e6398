package io.chronoscope.deploys.hooks;

import io.chronoscope.collector.api.ApiException;
import io.micronaut.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMACs over raw bytes and comparisons that take the same time whatever the offered value. */
final class Signatures {
  private Signatures() {}

  static byte[] hmac(String algorithm, byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      for (byte[] p : parts) {
        mac.update(p);
      }
      return mac.doFinal();
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(algorithm + " is not available: " + e.getMessage(), e);
    }
  }

  static byte[] hmacSha256(String secret, byte[] body) {
    return hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), body);
  }

  /** Whether {@code offered} is the lower- or upper-case hex of {@code expected}, in constant time. */
  static boolean hexMatches(byte[] expected, String offered) {
    byte[] decoded;
    try {
      decoded = HexFormat.of().parseHex(offered.trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(expected, decoded);
  }

  static boolean base64Matches(byte[] expected, String offered) {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(offered.trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(expected, decoded);
  }

  static boolean secretMatches(String secret, String offered) {
    return offered != null && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
        offered.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The secret from {@code Authorization: Bearer <secret>} or the password of
   * {@code Authorization: Basic}, for sources whose only option is a header they send as is.
   */
  static String bearerOrBasicPassword(HookRequest r) {
    String auth = r.header("Authorization");
    if (auth == null) {
      return null;
    }
    if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    if (auth.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String userPass = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = userPass.indexOf(':');
        return colon < 0 ? null : userPass.substring(colon + 1);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
  }

  static ApiException unauthorized(String header, String message) {
    return new ApiException(HttpStatus.UNAUTHORIZED, header, message);
  }
}
