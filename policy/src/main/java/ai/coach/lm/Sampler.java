package ai.coach.lm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence from its logits. Each sequence owns a sampler with its
 * own random stream, so the same seeds and inputs give the same tokens however the sequences
 * are batched.
 */
public final class Sampler {

  private final SamplingParams params;
  private final SplittableRandom random;

  /** A sampler whose random stream is {@code streamSeed} (see {@link #streamSeed}). */
  public Sampler(SamplingParams params, long streamSeed) {
    this.params = params;
    this.random = new SplittableRandom(streamSeed);
  }

  /** The stream of sample {@code index} of a request seeded with {@code seed} (SplitMix64 finaliser). */
  public static long streamSeed(long seed, long index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Chooses a token and reports its log-prob with the top alternatives. */
  public TokenLogprob next(float[] logits) {
    double[] logp = logSoftmax(logits, 1.0);
    int token = params.temperature() == 0 ? argmax(logits) : sample(logits);
    return new TokenLogprob(token, (float) logp[token], top(logp, params.logprobs()));
  }

  static double[] logSoftmax(float[] logits, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) max = Math.max(max, l / temperature);
    double sum = 0;
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i] / temperature - max;
      sum += Math.exp(out[i]);
    }
    double logSum = Math.log(sum);
    for (int i = 0; i < out.length; i++) out[i] -= logSum;
    return out;
  }

  /** First index of the largest logit, as torch.argmax breaks ties. */
  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) best = i;
    }
    return best;
  }

  private int sample(float[] logits) {
    double[] logp = logSoftmax(logits, params.temperature());
    int[] candidates = candidates(logp);
    double[] probs = new double[candidates.length];
    double total = 0;
    for (int i = 0; i < candidates.length; i++) {
      probs[i] = Math.exp(logp[candidates[i]]);
      total += probs[i];
    }
    double u = random.nextDouble() * total;
    for (int i = 0; i < candidates.length; i++) {
      u -= probs[i];
      if (u < 0) return candidates[i];
    }
    return candidates[candidates.length - 1];
  }

  /**
   * Token ids left after top-k and top-p, most likely first. Sorting a 150K vocabulary for every
   * token would cost more than the forward pass, so only tokens above a probability floor are
   * sorted; the floor halves until the kept set provably contains the nucleus.
   */
  private int[] candidates(double[] logp) {
    int k = params.topK() > 0 ? Math.min(params.topK(), logp.length) : logp.length;
    double p = params.topP();
    for (double floor = 1e-4; ; floor /= 16) {
      double logFloor = Math.log(floor);
      List<Integer> above = new ArrayList<>();
      double massAbove = 0;
      for (int i = 0; i < logp.length; i++) {
        if (logp[i] >= logFloor || floor < 1e-300) {
          above.add(i);
          massAbove += Math.exp(logp[i]);
        }
      }
      // Everything below the floor is less likely than everything above it, so the kept set is
      // exact once it holds all top-k tokens or, without top-k, reaches mass p.
      boolean complete = above.size() >= k || (k == logp.length && massAbove >= p);
      if (complete || floor < 1e-300) {
        int[] ids = above.stream().mapToInt(Integer::intValue).toArray();
        Integer[] boxed = Arrays.stream(ids).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, (a, b) -> a.equals(b) ? 0 : logp[b] != logp[a] ? Double.compare(logp[b], logp[a]) : Integer.compare(a, b));
        int keep = Math.min(k, boxed.length);
        // top-p is measured on the top-k renormalised distribution, as transformers does.
        double kMass = 0;
        for (int i = 0; i < keep; i++) kMass += Math.exp(logp[boxed[i]]);
        double cumulative = 0;
        int nucleus = 0;
        while (nucleus < keep) {
          cumulative += Math.exp(logp[boxed[nucleus]]) / kMass;
          nucleus++;
          if (cumulative >= p) break;
        }
        int[] out = new int[nucleus];
        for (int i = 0; i < nucleus; i++) out[i] = boxed[i];
        return out;
      }
    }
  }

  static List<TokenLogprob.Alternative> top(double[] logp, int k) {
    if (k == 0) return List.of();
    int[] best = new int[k];
    int size = 0;
    for (int i = 0; i < logp.length; i++) {
      if (size < k) {
        best[size++] = i;
      } else if (logp[i] > logp[best[size - 1]]) {
        best[size - 1] = i;
      } else {
        continue;
      }
      for (int j = size - 1; j > 0 && logp[best[j]] > logp[best[j - 1]]; j--) {
        int t = best[j];
        best[j] = best[j - 1];
        best[j - 1] = t;
      }
    }
    List<TokenLogprob.Alternative> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) out.add(new TokenLogprob.Alternative(best[i], (float) logp[best[i]]));
    return out;
  }
}
