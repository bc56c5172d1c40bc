package ai.coach.lm;

import java.util.List;

/**
 * A causal language model driven one batched forward pass at a time.
 *
 * <p>Everything above the engine (sampling, the critic's phase machine, scoring) is written
 * against this interface, so a scripted model can stand in for the real one when a test checks
 * a protocol. A {@link SequenceState} keeps the tokens of one sequence and whatever the model
 * needs to continue it without recomputing its prefix (the KV cache, for the ND4J engine).
 */
public interface LanguageModel extends AutoCloseable {

  /** Vocabulary size, i.e. the length of every logits row. */
  int vocabSize();

  /** The longest sequence the model accepts. */
  int maxPositions();

  /** An empty sequence. Feed it a prompt with {@link #append}. */
  SequenceState newSequence();

  /**
   * Appends {@code tokens.get(i)} to {@code sequences.get(i)} in one batched forward pass
   * (prefill, forced text and single-token decode are all this call). Each array must hold at
   * least one token. Afterwards {@link SequenceState#nextLogits()} is the distribution after the
   * last appended token.
   */
  void append(List<? extends SequenceState> sequences, List<int[]> tokens);

  /**
   * Like {@link #append} but also returns, for each sequence, the logits at every appended
   * position (row j = distribution after token j): the teacher-forcing path used for scoring.
   */
  List<float[][]> appendAll(List<? extends SequenceState> sequences, List<int[]> tokens);

  /**
   * {@code n} independent copies of {@code state}: each continues from the same prefix without
   * recomputing it. The original stays valid.
   */
  List<SequenceState> fork(SequenceState state, int n);

  @Override
  void close();
}
