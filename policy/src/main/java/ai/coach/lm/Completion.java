package ai.coach.lm;

import java.util.List;

/**
 * What one sequence generated.
 *
 * @param text decoded generated text, without the end-of-sequence token and cut before the stop
 *     string when one matched (empty when the model has no tokenizer). The end token is the chat
 *     template's turn end, not part of the answer: kept in the text, it ends up inside the last
 *     step of every solution, where a critic reading solutions from elsewhere never sees it.
 * @param tokenIds generated tokens only; every one of them has also been appended to the state
 * @param finishReason "stop" (a stop string or an end-of-sequence token) or "length"
 * @param stopString the stop string that matched, or null
 */
public record Completion(
    String text, int[] tokenIds, List<TokenLogprob> logprobs, String finishReason, String stopString) {}
