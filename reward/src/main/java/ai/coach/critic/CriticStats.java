package ai.coach.critic;

/**
 * Where a critique batch spent its time. One engine call mixes prefill (prompts, forced text, code
 * output) and decode tokens; its time is split between the two in proportion to their tokens.
 *
 * @param steps solution steps critiqued (each with all its samples)
 * @param prefillTokens tokens fed as prompt, forced text or code output
 * @param decodeTokens tokens sampled
 * @param engineCalls batched forward passes
 * @param prefillSeconds engine time attributed to prefill tokens
 * @param decodeSeconds engine time attributed to decode tokens
 * @param samplingSeconds the scheduler outside the engine: picking tokens, stop strings, chat
 *     template rendering and tokenization
 * @param codeWaitSeconds time the scheduler had nothing to run but code executions
 * @param codeSeconds summed run time of the code executions (they overlap the rest)
 * @param codeRuns code executions
 * @param turnsReused turns whose KV cache carried over into the next turn as it was
 * @param turnsRecomputed turns re-prefilled because the sampled tokens differ from the chat
 *     template's tokenization of the same text
 * @param wallSeconds the whole batch
 */
public record CriticStats(
    long steps,
    long prefillTokens,
    long decodeTokens,
    long engineCalls,
    double prefillSeconds,
    double decodeSeconds,
    double samplingSeconds,
    double codeWaitSeconds,
    double codeSeconds,
    long codeRuns,
    long turnsReused,
    long turnsRecomputed,
    double wallSeconds) {

  public static final CriticStats ZERO = new CriticStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  public double stepsPerSecond() {
    return wallSeconds > 0 ? steps / wallSeconds : 0;
  }

  public CriticStats plus(CriticStats o) {
    return new CriticStats(
        steps + o.steps, prefillTokens + o.prefillTokens, decodeTokens + o.decodeTokens, engineCalls + o.engineCalls,
        prefillSeconds + o.prefillSeconds, decodeSeconds + o.decodeSeconds, samplingSeconds + o.samplingSeconds,
        codeWaitSeconds + o.codeWaitSeconds, codeSeconds + o.codeSeconds, codeRuns + o.codeRuns,
        turnsReused + o.turnsReused, turnsRecomputed + o.turnsRecomputed, wallSeconds + o.wallSeconds);
  }

  public String summary() {
    return String.format(
        "%d steps in %.1f s = %.2f steps/s; engine: prefill %.1f s (%d tokens), decode %.1f s (%d tokens, %d calls);"
            + " sampling and protocol %.1f s; code: %d runs, %.1f s total, %.1f s waited; turns reused %d, recomputed %d",
        steps, wallSeconds, stepsPerSecond(), prefillSeconds, prefillTokens, decodeSeconds, decodeTokens, engineCalls,
        samplingSeconds, codeRuns, codeSeconds, codeWaitSeconds, turnsReused, turnsRecomputed);
  }
}
