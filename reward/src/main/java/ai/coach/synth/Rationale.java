package ai.coach.synth;

import java.io.Serializable;
import java.util.Objects;

/**
 * One step's critique as the critic writes it (full mode): the pieces between the protocol's
 * forced texts, so {@link CritiqueConversation} can lay them out token for token.
 *
 * @param analysis the text after the forced {@code Let's analyze the Paragraph t step by step: },
 *     ending in a line break, without the closing {@code </analyze>}
 * @param code the Python after the forced {@code ```python\n}, without the closing fence
 * @param codeOutput what the sandbox session returned for {@code code}: the {@code {output}} the
 *     critic puts into its {@code [Code Output]} text
 * @param correct the judgement: Yes when true
 */
public record Rationale(String analysis, String code, String codeOutput, boolean correct) implements Serializable {

  public Rationale {
    Objects.requireNonNull(analysis, "analysis");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(codeOutput, "codeOutput");
    // The critic stops the analysis at </analyze> and the code at a fence: either inside the
    // text would cut it short at inference.
    if (!analysis.endsWith("\n") || analysis.contains("</analyze>")) {
      throw new IllegalArgumentException("rationale analysis must end with a line break and not contain </analyze>: " + analysis);
    }
    if (code.isBlank() || code.contains("```")) {
      throw new IllegalArgumentException("rationale code must be non-empty and hold no ``` fence: " + code);
    }
  }
}
