package ai.coach.testbed;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line format of testbed solutions: {@code Step k: <sentence with one equation>}, and on the
 * last step {@code The answer is \boxed{N}.} after the sentence, so that every ProcessBench step
 * is exactly one line and the step that gives the answer is the one judged for it.
 */
public final class SolutionFormat {

  private static final Pattern BOXED = Pattern.compile("\\\\boxed\\{([^{}]*)\\}");

  private SolutionFormat() {}

  /** 1-based numbering, as a reader counts steps. */
  public static String step(int zeroBasedIndex, String sentence) {
    return "Step " + (zeroBasedIndex + 1) + ": " + sentence;
  }

  public static String withAnswer(String line, String answer) {
    return line + " The answer is \\boxed{" + answer + "}.";
  }

  /** The content of the last {@code \boxed{...}} in {@code text}, if any. */
  public static Optional<String> boxedAnswer(String text) {
    Matcher m = BOXED.matcher(text);
    String last = null;
    while (m.find()) {
      last = m.group(1).trim();
    }
    return Optional.ofNullable(last);
  }

  /** Replaces the content of every {@code \boxed{...}} in a line. */
  public static String replaceAnswer(String line, String answer) {
    return BOXED.matcher(line).replaceAll(Matcher.quoteReplacement("\\boxed{" + answer + "}"));
  }
}
