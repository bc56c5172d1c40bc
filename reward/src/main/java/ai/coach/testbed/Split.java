package ai.coach.testbed;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Train, dev and test. A problem's split is a function of its content alone (a SHA-256 of its
 * canonical form), so one problem lands in the same split whatever seed or run produced it.
 */
public enum Split {
  TRAIN,
  DEV,
  TEST;

  /** Percent of the hash space per split: 80 / 10 / 10. */
  public static Split ofKey(String canonicalKey) {
    int bucket = Math.floorMod(hashPrefix(canonicalKey), 100);
    return bucket < 80 ? TRAIN : bucket < 90 ? DEV : TEST;
  }

  /** A short stable name for problems with this canonical content. */
  public static String idOf(String canonicalKey) {
    return HexFormat.of().formatHex(sha256(canonicalKey), 0, 6);
  }

  private static int hashPrefix(String key) {
    byte[] d = sha256(key);
    return ((d[0] & 0xff) << 24) | ((d[1] & 0xff) << 16) | ((d[2] & 0xff) << 8) | (d[3] & 0xff);
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
