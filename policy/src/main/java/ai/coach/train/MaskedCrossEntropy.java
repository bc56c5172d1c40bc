package ai.coach.train;

import java.util.Map;

/**
 * Supervised next-token cross-entropy averaged over the scored tokens, each weighted by its mask
 * value: {@code −Σ m_p log π(y_p) / Σ m_p}. With a 0/1 mask on response tokens this is the SFT
 * loss on responses only.
 */
public final class MaskedCrossEntropy implements TokenLoss {

  @Override
  public LossValue evaluate(double[] logProbs, TokenBatch batch) {
    int[] scored = batch.scored();
    if (scored.length != logProbs.length) {
      throw new IllegalArgumentException(logProbs.length + " log-probs for " + scored.length + " scored positions");
    }
    double total = 0;
    for (int p : scored) total += batch.mask()[p];
    double[] grad = new double[logProbs.length];
    if (total == 0) return new LossValue(0, grad, Map.of("tokens", 0.0));
    double loss = 0;
    for (int j = 0; j < scored.length; j++) {
      double w = batch.mask()[scored[j]] / total;
      loss -= w * logProbs[j];
      grad[j] = -w;
    }
    return new LossValue(loss, grad, Map.of("tokens", (double) scored.length));
  }
}
