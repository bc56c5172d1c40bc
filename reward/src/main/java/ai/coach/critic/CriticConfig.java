package ai.coach.critic;

/**
 * Settings of a critique run. {@link #DEFAULTS} are GenPRM's.
 *
 * @param samples K independent critiques per step; the step reward is their mean
 * @param stepTokenBudget tokens one assistant turn may hold (forced text, generation and code
 *     output together) before the verification is dropped for a direct judgement
 * @param maxCodeRounds generation rounds of the verify phase, each ending in an executed code block
 * @param fallbackTokens tokens allowed for the judgement once the budget or the rounds ran out
 * @param threshold a step whose mean reward is below this counts as wrong; see {@link #DEFAULT_THRESHOLD}
 * @param maxActiveSolutions solutions critiqued at once; bounds KV memory and open sandbox sessions
 * @param codeThreads threads that wait on sandbox executions
 */
public record CriticConfig(
    CriticMode mode,
    int samples,
    double temperature,
    double topP,
    int topK,
    int stepTokenBudget,
    int maxCodeRounds,
    int fallbackTokens,
    double threshold,
    long seed,
    int maxActiveSolutions,
    int codeThreads) {

  /**
   * Just under 0.5, so that a step whose samples split evenly passes. The tiny critic's votes are
   * near-certain but not equally so (No at P(Yes) ~1e-7, Yes at 0.9998), so at 0.5 the mean of an
   * even split fell below by up to 1e-4 and every tie became a rejection: with K = 2 or 4 the
   * critic scored below K = 1. Chosen on the dev split (docs/synthesis.md); a mean of 3 Yes in 8
   * (0.375) is still a rejection.
   */
  public static final double DEFAULT_THRESHOLD = 0.45;

  public static final CriticConfig DEFAULTS =
      new CriticConfig(CriticMode.FULL, 1, 0.6, 0.95, 20, 2048, 3, 20, DEFAULT_THRESHOLD, 0, 32, 8);

  public CriticConfig {
    if (mode == null) throw new IllegalArgumentException("critic mode is missing");
    if (samples < 1) throw new IllegalArgumentException("critic samples must be >= 1, got " + samples);
    if (!(temperature >= 0)) throw new IllegalArgumentException("critic temperature must be >= 0, got " + temperature);
    if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("critic top_p must be in (0, 1], got " + topP);
    if (topK < 0) throw new IllegalArgumentException("critic top_k must be >= 0, got " + topK);
    if (stepTokenBudget < 1) throw new IllegalArgumentException("critic step token budget must be >= 1, got " + stepTokenBudget);
    if (maxCodeRounds < 1) throw new IllegalArgumentException("critic max code rounds must be >= 1, got " + maxCodeRounds);
    if (fallbackTokens < 1) throw new IllegalArgumentException("critic fallback tokens must be >= 1, got " + fallbackTokens);
    if (!(threshold >= 0 && threshold <= 1)) throw new IllegalArgumentException("critic threshold must be in [0, 1], got " + threshold);
    if (maxActiveSolutions < 1) throw new IllegalArgumentException("critic max active solutions must be >= 1, got " + maxActiveSolutions);
    if (codeThreads < 1) throw new IllegalArgumentException("critic code threads must be >= 1, got " + codeThreads);
  }

  public CriticConfig withMode(CriticMode m) {
    return new CriticConfig(m, samples, temperature, topP, topK, stepTokenBudget, maxCodeRounds, fallbackTokens, threshold, seed, maxActiveSolutions, codeThreads);
  }

  public CriticConfig withSamples(int k) {
    return new CriticConfig(mode, k, temperature, topP, topK, stepTokenBudget, maxCodeRounds, fallbackTokens, threshold, seed, maxActiveSolutions, codeThreads);
  }

  public CriticConfig withTemperature(double t) {
    return new CriticConfig(mode, samples, t, topP, topK, stepTokenBudget, maxCodeRounds, fallbackTokens, threshold, seed, maxActiveSolutions, codeThreads);
  }

  public CriticConfig withSeed(long s) {
    return new CriticConfig(mode, samples, temperature, topP, topK, stepTokenBudget, maxCodeRounds, fallbackTokens, threshold, s, maxActiveSolutions, codeThreads);
  }

  public CriticConfig withThreshold(double t) {
    return new CriticConfig(mode, samples, temperature, topP, topK, stepTokenBudget, maxCodeRounds, fallbackTokens, t, seed, maxActiveSolutions, codeThreads);
  }

  public CriticConfig withStepTokenBudget(int b) {
    return new CriticConfig(mode, samples, temperature, topP, topK, b, maxCodeRounds, fallbackTokens, threshold, seed, maxActiveSolutions, codeThreads);
  }

  public CriticConfig withMaxActiveSolutions(int n) {
    return new CriticConfig(mode, samples, temperature, topP, topK, stepTokenBudget, maxCodeRounds, fallbackTokens, threshold, seed, n, codeThreads);
  }
}
