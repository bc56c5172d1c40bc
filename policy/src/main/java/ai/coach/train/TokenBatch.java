package ai.coach.train;

import java.util.Arrays;

/**
 * A rectangular batch of {@code rows} sequences of {@code length} tokens, flattened row-major.
 * Position {@code p} reads {@code inputIds[p]} and is scored on predicting {@code targets[p]}
 * (the next token) when {@code mask[p]} is non-zero. Shorter sequences are padded at the end;
 * with causal attention padding never influences a real position, and padded positions carry
 * mask 0.
 *
 * <p>The optional per-position arrays feed losses beyond supervised cross-entropy: a per-token
 * advantage (policy gradient), the log-probability under the policy that sampled the tokens
 * (importance ratio), and under a frozen reference model (KL penalty). Each is null when unused.
 */
public record TokenBatch(
    int rows,
    int length,
    int[] inputIds,
    int[] targets,
    float[] mask,
    double[] advantages,
    double[] oldLogProbs,
    double[] refLogProbs) {

  public TokenBatch {
    int n = rows * length;
    if (rows <= 0 || length <= 0) throw new IllegalArgumentException("empty batch: " + rows + " x " + length);
    check("inputIds", inputIds.length, n);
    check("targets", targets.length, n);
    check("mask", mask.length, n);
    if (advantages != null) check("advantages", advantages.length, n);
    if (oldLogProbs != null) check("oldLogProbs", oldLogProbs.length, n);
    if (refLogProbs != null) check("refLogProbs", refLogProbs.length, n);
  }

  /** A supervised batch: targets and mask only. */
  public static TokenBatch supervised(int rows, int length, int[] inputIds, int[] targets, float[] mask) {
    return new TokenBatch(rows, length, inputIds, targets, mask, null, null, null);
  }

  private static void check(String name, int actual, int expected) {
    if (actual != expected) {
      throw new IllegalArgumentException(name + " has " + actual + " entries, expected rows x length = " + expected);
    }
  }

  /** Flat indices of the scored positions (mask non-zero), ascending. */
  public int[] scored() {
    int count = 0;
    for (float m : mask) if (m != 0) count++;
    int[] out = new int[count];
    int j = 0;
    for (int p = 0; p < mask.length; p++) if (mask[p] != 0) out[j++] = p;
    return out;
  }

  /** Sum of the mask: the number of scored tokens when the mask is 0/1. */
  public double maskSum() {
    double s = 0;
    for (float m : mask) s += m;
    return s;
  }

  /** The same batch with reference log-probabilities attached (computed by a frozen model). */
  public TokenBatch withRefLogProbs(double[] ref) {
    return new TokenBatch(rows, length, inputIds, targets, mask, advantages, oldLogProbs, ref);
  }

  @Override
  public String toString() {
    return "TokenBatch[" + rows + "x" + length + ", scored=" + scored().length + ", ids=" + Arrays.toString(
        Arrays.copyOf(inputIds, Math.min(8, inputIds.length))) + "...]";
  }
}
