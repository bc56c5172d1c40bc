package ai.coach.lm;

import java.util.List;

/**
 * How to pick tokens. Temperature 0 is greedy. Filters apply in the order transformers applies
 * them: temperature, then top-k, then top-p. Reported log-probs are those of the model's own
 * distribution (before temperature and filtering), which is what a critic reads P(Yes) from.
 *
 * @param topK keep the k most likely tokens; 0 keeps all
 * @param topP keep the smallest set of most likely tokens whose mass reaches p; 1 keeps all
 * @param logprobs how many top alternatives to report per generated token (0 to 20)
 * @param stop strings that end generation when they appear in the generated text
 */
public record SamplingParams(
    double temperature, double topP, int topK, int maxNewTokens, long seed, int logprobs, List<String> stop) {

  public static final int MAX_LOGPROBS = 20;

  public SamplingParams {
    if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
    if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0 (0 = off), got " + topK);
    if (maxNewTokens < 1) throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
    if (logprobs < 0 || logprobs > MAX_LOGPROBS) {
      throw new IllegalArgumentException("logprobs must be in [0, " + MAX_LOGPROBS + "], got " + logprobs);
    }
    stop = stop == null ? List.of() : List.copyOf(stop);
  }

  public static SamplingParams greedy(int maxNewTokens) {
    return new SamplingParams(0, 1, 0, maxNewTokens, 0, 0, List.of());
  }


  public SamplingParams withMaxNewTokens(int n) {
    return new SamplingParams(temperature, topP, topK, n, seed, logprobs, stop);
  }

  public SamplingParams withSeed(long s) {
    return new SamplingParams(temperature, topP, topK, maxNewTokens, s, logprobs, stop);
  }
}
