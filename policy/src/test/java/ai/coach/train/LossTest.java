package ai.coach.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.lm.ModelConfig;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class LossTest {

  /** A batch of one row whose every position is scored, with advantages, old and reference log-probs. */
  private static TokenBatch rlBatch(int n, long seed) {
    Random r = new Random(seed);
    int[] ids = new int[n];
    int[] targets = new int[n];
    float[] mask = new float[n];
    double[] adv = new double[n];
    double[] old = new double[n];
    double[] ref = new double[n];
    for (int i = 0; i < n; i++) {
      ids[i] = r.nextInt(10);
      targets[i] = r.nextInt(10);
      mask[i] = i % 5 == 0 ? 0f : 1f;
      adv[i] = r.nextGaussian();
      old[i] = -1 - r.nextDouble() * 2;
      ref[i] = -1 - r.nextDouble() * 2;
    }
    return new TokenBatch(1, n, ids, targets, mask, adv, old, ref);
  }

  @Test
  void policyGradientGradientMatchesFiniteDifferences() {
    TokenBatch batch = rlBatch(40, 3);
    TokenLoss loss = new PolicyGradientLoss(0.2, 0.1);
    Random r = new Random(4);
    int[] scored = batch.scored();
    double[] lp = new double[scored.length];
    // Around the old log-probs so some ratios fall inside the clip range and some outside.
    for (int j = 0; j < lp.length; j++) lp[j] = batch.oldLogProbs()[scored[j]] + r.nextGaussian() * 0.3;
    LossValue v = loss.evaluate(lp, batch);
    double clipFraction = v.metrics().get("clip_fraction");
    assertTrue(clipFraction > 0 && clipFraction < 1, "test covers both clip branches, got " + clipFraction);
    double eps = 1e-6;
    for (int j = 0; j < lp.length; j++) {
      double[] up = lp.clone();
      double[] down = lp.clone();
      up[j] += eps;
      down[j] -= eps;
      double fd = (loss.evaluate(up, batch).loss() - loss.evaluate(down, batch).loss()) / (2 * eps);
      assertEquals(fd, v.gradLogProbs()[j], 1e-6, "token " + j);
    }
  }

  @Test
  void withoutOldLogProbsItIsReinforceWithPerTokenAdvantages() {
    TokenBatch full = rlBatch(10, 5);
    TokenBatch onPolicy = new TokenBatch(1, 10, full.inputIds(), full.targets(), full.mask(), full.advantages(), null, null);
    int[] scored = onPolicy.scored();
    double[] lp = new double[scored.length];
    java.util.Arrays.fill(lp, -2.0);
    LossValue v = new PolicyGradientLoss(0.2, 0.5).evaluate(lp, onPolicy);
    double total = onPolicy.maskSum();
    for (int j = 0; j < scored.length; j++) {
      assertEquals(-onPolicy.advantages()[scored[j]] / total, v.gradLogProbs()[j], 1e-12);
    }
  }

  /** The model's backward is generic in d loss / d log π; check it end to end with the RL loss. */
  @Test
  void modelGradientsUnderThePolicyGradientLossMatchFiniteDifferences() {
    ModelConfig c = TinyModels.gqaUntied(12);
    TokenBatch base = TinyModels.batch(2, 5, c.vocabSize(), 2);
    Random r = new Random(8);
    int n = base.inputIds().length;
    double[] adv = new double[n];
    double[] ref = new double[n];
    for (int i = 0; i < n; i++) {
      adv[i] = r.nextGaussian();
      ref[i] = -2.5 + r.nextGaussian() * 0.1;
    }
    TokenBatch batch = new TokenBatch(base.rows(), base.length(), base.inputIds(), base.targets(), base.mask(), adv, null, ref);
    try (TrainableQwen2 m = TrainableQwen2.initialize(c, DataType.DOUBLE, 6, 0.3)) {
      // On-policy: old log-probs equal the current ones, fixed before the perturbation.
      double[] lpNow = m.targetLogProbs(batch);
      double[] old = new double[n];
      int[] scored = batch.scored();
      for (int j = 0; j < scored.length; j++) old[scored[j]] = lpNow[j];
      TokenBatch withOld = new TokenBatch(batch.rows(), batch.length(), batch.inputIds(), batch.targets(), batch.mask(), adv, old, ref);
      TokenLoss loss = new PolicyGradientLoss(0.2, 0.3);
      m.params().zeroGrad();
      m.forwardBackward(withOld, loss, 1.0);
      INDArray values = m.params().values();
      INDArray grads = m.params().grads();
      double eps = 1e-6;
      for (String name : new String[] {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
          "model.layers.1.mlp.down_proj.weight", "lm_head.weight"}) {
        ParameterSet.Entry e = m.params().entry(name);
        long i = e.offset() + e.numel() / 2;
        double orig = values.getDouble(i);
        values.putScalar(i, orig + eps);
        double up = loss.evaluate(m.targetLogProbs(withOld), withOld).loss();
        values.putScalar(i, orig - eps);
        double down = loss.evaluate(m.targetLogProbs(withOld), withOld).loss();
        values.putScalar(i, orig);
        double fd = (up - down) / (2 * eps);
        assertEquals(fd, grads.getDouble(i), 1e-7 + 1e-5 * Math.abs(fd), name);
      }
    }
  }
}
