package ai.coach.sandbox;

/** GenPRM's rendering of a snippet's result, cut to a length limit. */
final class OutputFormat {

  static final String RESTART_NOTE =
      "Note: the previous code ended its Python process, so this code ran in a fresh namespace;"
          + " variables defined earlier are gone.\n";

  private OutputFormat() {}

  /**
   * @param head the first {@code limit} characters printed (or all of them)
   * @param tail the last characters printed after the head (up to {@code limit})
   * @param total how many characters were printed in all
   * @param error the error line, or null
   */
  static String render(String head, String tail, long total, String error, int limit) {
    String errorPart = "";
    if (error != null) {
      boolean printed = total > 0;
      String last = tail.isEmpty() ? head : tail;
      errorPart = (printed && !last.endsWith("\n") ? "\n" : "") + error;
    }
    if (head.codePointCount(0, head.length()) + tail.codePointCount(0, tail.length()) == total) {
      return cut(head + tail + errorPart, limit);
    }
    // The middle of the printed text never left the worker; keep the head and the tail around it.
    int headKeep = Math.min(limit / 2, head.length());
    String suffixSource = tail + errorPart;
    int tailKeep = Math.min(limit - headKeep, suffixSource.length());
    long omitted = total + errorPart.length() - headKeep - tailKeep;
    return head.substring(0, headKeep) + marker(omitted) + suffixSource.substring(suffixSource.length() - tailKeep);
  }

  static String cut(String text, int limit) {
    if (text.length() <= limit) {
      return text;
    }
    int headKeep = limit / 2;
    int tailKeep = limit - headKeep;
    return text.substring(0, headKeep) + marker(text.length() - limit) + text.substring(text.length() - tailKeep);
  }

  private static String marker(long omitted) {
    return "\n... [output truncated: " + omitted + " characters omitted] ...\n";
  }
}
