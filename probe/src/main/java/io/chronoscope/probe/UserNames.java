package io.chronoscope.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves uids to user names through a passwd file, cached. An unknown uid re-reads the file
 * only when it changed, so a new user appears without a restart and misses stay cheap. Users only
 * known to NSS (LDAP, sssd) stay numeric: the probe does not link the libc resolver.
 */
final class UserNames {
  private final Path passwd;
  private Map<Integer, String> names = Map.of();
  private FileTime loadedVersion;

  UserNames(Path passwd) {
    this.passwd = passwd;
  }

  String nameOf(int uid) {
    String name = names.get(uid);
    if (name == null) {
      reloadIfChanged();
      name = names.get(uid);
    }
    return name != null ? name : Integer.toString(uid);
  }

  private void reloadIfChanged() {
    try {
      FileTime version = Files.getLastModifiedTime(passwd);
      if (version.equals(loadedVersion)) {
        return;
      }
      Map<Integer, String> loaded = new HashMap<>();
      for (String line : Files.readAllLines(passwd)) {
        // name:password:uid:gid:gecos:home:shell
        String[] fields = line.split(":", 4);
        if (fields.length >= 3) {
          try {
            loaded.putIfAbsent(Integer.parseInt(fields[2]), fields[0]);
          } catch (NumberFormatException ignored) {
            // a malformed line names nobody; the others still count
          }
        }
      }
      names = loaded;
      loadedVersion = version;
    } catch (IOException e) {
      // no passwd file (minimal container): uids stay numeric
    }
  }
}
