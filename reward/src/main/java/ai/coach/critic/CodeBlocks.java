package ai.coach.critic;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the Python block a verify round executes: the last fenced one of the turn so far. */
final class CodeBlocks {

  // Lazy body and surrounding whitespace trimmed: the same block boundaries GenPRM's executor finds.
  private static final Pattern BLOCK = Pattern.compile("```python\\s*(.*?)\\s*```", Pattern.DOTALL);

  private CodeBlocks() {}

  /** The code of the last complete ```python block, stripped, or null when there is none. */
  static String last(String text) {
    Matcher m = BLOCK.matcher(text);
    String last = null;
    while (m.find()) last = m.group(1);
    return last == null ? null : last.strip();
  }
}
