package ai.coach.train;

import java.util.Map;

/**
 * Clipped policy-gradient loss with a KL penalty towards a reference model, per token, as GRPO
 * and PPO-style RL fine-tuning use it. For each scored token with advantage {@code A}, the
 * probability ratio {@code ρ = π(y) / π_old(y)} against the sampling policy and the reference
 * log-probability {@code r}:
 *
 * <pre>
 *   loss = −mean_w[ min(ρ A, clip(ρ, 1 − ε, 1 + ε) A) ] + β · mean_w[ exp(r − log π) − (r − log π) − 1 ]
 * </pre>
 *
 * where {@code mean_w} weights tokens by the batch mask. The KL term is the non-negative,
 * unbiased "k3" estimator of KL(π ‖ π_ref) on the sampled tokens. Without old log-probs the
 * sampling policy is the current one (ρ = 1, plain REINFORCE with per-token advantages); without
 * reference log-probs, or with β = 0, there is no KL term.
 */
public final class PolicyGradientLoss implements TokenLoss {

  private final double clipEpsilon;
  private final double klBeta;

  /** @param clipEpsilon PPO clip range ε (> 0); @param klBeta weight β of the KL penalty (>= 0) */
  public PolicyGradientLoss(double clipEpsilon, double klBeta) {
    if (!(clipEpsilon > 0)) throw new IllegalArgumentException("clip epsilon must be > 0, got " + clipEpsilon);
    if (!(klBeta >= 0)) throw new IllegalArgumentException("KL beta must be >= 0, got " + klBeta);
    this.clipEpsilon = clipEpsilon;
    this.klBeta = klBeta;
  }

  @Override
  public LossValue evaluate(double[] logProbs, TokenBatch batch) {
    if (batch.advantages() == null) throw new IllegalArgumentException("policy-gradient loss needs per-token advantages");
    int[] scored = batch.scored();
    if (scored.length != logProbs.length) {
      throw new IllegalArgumentException(logProbs.length + " log-probs for " + scored.length + " scored positions");
    }
    boolean kl = klBeta > 0 && batch.refLogProbs() != null;
    double total = 0;
    for (int p : scored) total += batch.mask()[p];
    double[] grad = new double[logProbs.length];
    if (total == 0) return new LossValue(0, grad, Map.of("tokens", 0.0));
    double pg = 0;
    double klSum = 0;
    double clipped = 0;
    for (int j = 0; j < scored.length; j++) {
      int p = scored[j];
      double w = batch.mask()[p] / total;
      double a = batch.advantages()[p];
      double lp = logProbs[j];
      double old = batch.oldLogProbs() == null ? lp : batch.oldLogProbs()[p];
      double ratio = Math.exp(lp - old);
      double clippedRatio = Math.max(1 - clipEpsilon, Math.min(1 + clipEpsilon, ratio));
      double unclippedObj = ratio * a;
      double clippedObj = clippedRatio * a;
      if (unclippedObj <= clippedObj) {
        pg -= w * unclippedObj;
        grad[j] -= w * unclippedObj; // d(ρ A)/d log π = ρ A
      } else {
        pg -= w * clippedObj; // constant in log π: no gradient
        clipped += w;
      }
      if (kl) {
        double diff = batch.refLogProbs()[p] - lp;
        double e = Math.exp(diff);
        klSum += w * (e - diff - 1);
        grad[j] += klBeta * w * (1 - e);
      }
    }
    return new LossValue(pg + klBeta * klSum, grad, Map.of(
        "tokens", (double) scored.length, "pg_loss", pg, "kl", klSum, "clip_fraction", clipped));
  }
}
