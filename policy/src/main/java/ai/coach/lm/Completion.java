package ai.coach.lm;

import java.util.List;

/**
 * What one sequence generated.
 *
 * @param text decoded generated text, cut before the stop string when one matched (empty when
 *     the model has no tokenizer)
 * @param tokenIds generated tokens only; every one of them has also been appended to the state
 * @param finishReason "stop" (a stop string or an end-of-sequence token) or "length"
 * @param stopString the stop string that matched, or null
 */
public record Completion(
    String text, int[] tokenIds, List<TokenLogprob> logprobs, String finishReason, String stopString) {}
