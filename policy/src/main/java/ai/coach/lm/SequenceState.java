package ai.coach.lm;

/**
 * One sequence that a {@link LanguageModel} can extend: its tokens so far and the model's cached
 * state. Closing it frees that state at once rather than whenever the garbage collector runs, so
 * a long critique batch does not hold dead KV caches.
 */
public interface SequenceState extends AutoCloseable {

  /** All tokens of the sequence, prompt and appended. */
  int[] tokens();

  /** Number of tokens. */
  int length();

  /**
   * Logits of the next token (after the last appended one), or null for an empty sequence. The
   * array is owned by the state; callers must not modify it.
   */
  float[] nextLogits();

  @Override
  void close();
}
