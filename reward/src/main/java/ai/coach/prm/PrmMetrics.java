package ai.coach.prm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.random.RandomDataGenerator;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.util.CombinatoricsUtils;
import org.apache.commons.math3.util.Combinations;

/**
 * ProcessBench's metric. A step is flagged when its reward is below the threshold (a reward
 * equal to the threshold passes); the prediction is the first flagged step, or -1. Within a
 * subset, erroneous and correct items are scored apart and combined by their harmonic mean, so
 * a PRM cannot score well by flagging everything or nothing. A group with no items has accuracy
 * 0: it gives no evidence that the PRM handles that kind of item.
 */
public final class PrmMetrics {

  /** Sample sets scored per size at most: every one of a K = 8 run (C(8, 4) = 70). */
  static final int MAX_DRAWS = 70;

  /** Bootstrap resamples per subset for {@link #f1Intervals}. */
  static final int RESAMPLES = 2000;

  private PrmMetrics() {}

  /** {@link #score} of a predictions file, with {@link #f1Intervals} and, when it holds K > 1 samples, {@link #bySamples}. */
  public static MetricsReport score(List<ProcessBenchSubset> subsets, Path predictions, double threshold) {
    return score(subsets, Predictions.read(predictions, false), threshold);
  }

  /** Two PRMs' predictions files on the same items: both reports and {@link #pairedF1Differences}. */
  public static PrmComparison compare(List<ProcessBenchSubset> subsets, Path predictions, Path baseline, double threshold) {
    Predictions.Contents p = Predictions.read(predictions, false);
    Predictions.Contents b = Predictions.read(baseline, false);
    return new PrmComparison(score(subsets, p, threshold), score(subsets, b, threshold),
        pairedF1Differences(subsets, p.rewards(), b.rewards(), threshold));
  }

  private static MetricsReport score(List<ProcessBenchSubset> subsets, Predictions.Contents c, double threshold) {
    return score(subsets, c.rewards(), threshold).with(bySamples(subsets, c.samples(), threshold), f1Intervals(subsets, c.rewards(), threshold));
  }

  /** 0-based index of the first step whose reward is below {@code threshold}, or -1. */
  public static int firstBelow(List<Double> rewards, double threshold) {
    for (int i = 0; i < rewards.size(); i++) {
      if (rewards.get(i) < threshold) return i;
    }
    return -1;
  }

  public static double f1(double accError, double accCorrect) {
    return accError + accCorrect == 0 ? 0 : 2 * accError * accCorrect / (accError + accCorrect);
  }

  /**
   * @param rewards step rewards by item id; every item of every subset needs an entry with at
   *     least as many rewards as the item has steps
   */
  public static MetricsReport score(List<ProcessBenchSubset> subsets, Map<String, List<Double>> rewards, double threshold) {
    Map<String, SubsetMetrics> out = new LinkedHashMap<>();
    double sum = 0;
    for (ProcessBenchSubset s : subsets) {
      Tally t = new Tally();
      for (ProcessBenchItem item : s.items()) t.add(item.erroneous(), judgedRight(s, item, rewards, threshold));
      SubsetMetrics m = new SubsetMetrics(t.accError(), t.accCorrect(), t.f1(), s.items().size());
      out.put(s.name(), m);
      sum += m.f1();
    }
    return new MetricsReport(out, subsets.isEmpty() ? 0 : sum / subsets.size(), List.of(), Map.of());
  }

  /** A subset's items counted by kind and by whether the PRM judged them right. */
  private static final class Tally {
    private int errors;
    private int errorsRight;
    private int corrects;
    private int correctsRight;

    void add(boolean erroneous, boolean right) {
      if (erroneous) {
        errors++;
        if (right) errorsRight++;
      } else {
        corrects++;
        if (right) correctsRight++;
      }
    }

    double accError() {
      return errors == 0 ? 0 : (double) errorsRight / errors;
    }

    double accCorrect() {
      return corrects == 0 ? 0 : (double) correctsRight / corrects;
    }

    double f1() {
      return PrmMetrics.f1(accError(), accCorrect());
    }
  }

  /** Whether the PRM's first flagged step is the item's label (-1 for a correct item). */
  private static boolean judgedRight(ProcessBenchSubset s, ProcessBenchItem item, Map<String, List<Double>> rewards, double threshold) {
    List<Double> r = rewards.get(item.id());
    if (r == null) throw new IllegalArgumentException("no step rewards for item '" + item.id() + "' of subset " + s.name());
    if (r.size() < item.steps().size()) {
      throw new IllegalArgumentException("item '" + item.id() + "' of subset " + s.name() + " has " + item.steps().size()
          + " steps but " + r.size() + " step rewards");
    }
    return firstBelow(r.subList(0, item.steps().size()), threshold) == item.label();
  }

  /**
   * Each subset's F1 with a 95% percentile bootstrap interval: the subset's items drawn with
   * replacement {@link #RESAMPLES} times (seeded) and scored each time. On a couple of hundred
   * items the interval is several points wide, which is what a difference between two critics, or
   * a critic and a target, has to be read against.
   */
  public static Map<String, double[]> f1Intervals(List<ProcessBenchSubset> subsets, Map<String, List<Double>> rewards, double threshold) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (ProcessBenchSubset s : subsets) {
      if (s.items().isEmpty()) continue;
      out.put(s.name(), interval(resampledF1(s, List.of(rewards), threshold)[0]));
    }
    return out;
  }

  /**
   * Per subset, F1 of {@code rewards} minus F1 of {@code baseline}, with a 95% paired bootstrap
   * interval: each resample draws the same items for both, so what the two get right alike cancels
   * and the interval is much narrower than two separate intervals suggest. An interval that holds 0
   * says the items cannot tell the two apart.
   */
  public static Map<String, PairedF1> pairedF1Differences(List<ProcessBenchSubset> subsets, Map<String, List<Double>> rewards,
      Map<String, List<Double>> baseline, double threshold) {
    Map<String, PairedF1> out = new LinkedHashMap<>();
    for (ProcessBenchSubset s : subsets) {
      if (s.items().isEmpty()) continue;
      double[][] f1 = resampledF1(s, List.of(rewards, baseline), threshold);
      double[] difference = new double[RESAMPLES];
      for (int b = 0; b < RESAMPLES; b++) difference[b] = f1[0][b] - f1[1][b];
      double point = score(List.of(s), rewards, threshold).meanF1() - score(List.of(s), baseline, threshold).meanF1();
      out.put(s.name(), new PairedF1(point, interval(difference)));
    }
    return out;
  }

  /** A difference of F1 and its 95% interval. */
  public record PairedF1(@JsonProperty("f1_difference") double difference, @JsonProperty("ci95") double[] ci95) {}

  /** For each judge, the F1 of {@link #RESAMPLES} seeded resamples of the subset's items, the same draws for every judge. */
  private static double[][] resampledF1(ProcessBenchSubset s, List<Map<String, List<Double>>> judges, double threshold) {
    int n = s.items().size();
    boolean[] erroneous = new boolean[n];
    boolean[][] right = new boolean[judges.size()][n];
    for (int i = 0; i < n; i++) {
      ProcessBenchItem item = s.items().get(i);
      erroneous[i] = item.erroneous();
      for (int j = 0; j < judges.size(); j++) right[j][i] = judgedRight(s, item, judges.get(j), threshold);
    }
    RandomGenerator rng = new Well19937c(0);
    double[][] f1 = new double[judges.size()][RESAMPLES];
    int[] draw = new int[n];
    for (int b = 0; b < RESAMPLES; b++) {
      for (int d = 0; d < n; d++) draw[d] = rng.nextInt(n);
      for (int j = 0; j < judges.size(); j++) {
        Tally t = new Tally();
        for (int i : draw) t.add(erroneous[i], right[j][i]);
        f1[j][b] = t.f1();
      }
    }
    return f1;
  }

  private static double[] interval(double[] values) {
    Percentile percentile = new Percentile();
    return new double[] {percentile.evaluate(values, 2.5), percentile.evaluate(values, 97.5)};
  }

  /**
   * The mean F1 a critic would score with 1..K critiques per step, from one run with K. Each set
   * of sample positions (all of them, or a seeded draw of {@link #MAX_DRAWS} when there are more)
   * gives every step the mean reward of those samples and is scored as a run of its own. A run
   * with few samples is one draw whose score moves by several points from seed to seed on 100
   * items; comparing K should rest on these averages.
   *
   * @param samples by item id, per step, every sample's reward; every step of every item needs
   *     the same number K of them. Empty (a PRM without samples) or K = 1 give an empty list.
   */
  public static List<SamplesScore> bySamples(List<ProcessBenchSubset> subsets, Map<String, List<List<Double>>> samples, double threshold) {
    int k = sampleCount(subsets, samples);
    List<SamplesScore> out = new ArrayList<>();
    for (int size = 1; k > 1 && size <= k; size++) {
      List<int[]> draws = draws(k, size);
      double[] f1 = new double[draws.size()];
      for (int d = 0; d < f1.length; d++) f1[d] = score(subsets, meanRewards(subsets, samples, draws.get(d)), threshold).meanF1();
      out.add(new SamplesScore(size, StatUtils.mean(f1), Math.sqrt(StatUtils.populationVariance(f1)), f1.length));
    }
    return out;
  }

  /** K, checked to be the same for every step of every item; 0 without samples. */
  private static int sampleCount(List<ProcessBenchSubset> subsets, Map<String, List<List<Double>>> samples) {
    if (samples.isEmpty()) return 0;
    int k = -1;
    for (ProcessBenchSubset s : subsets) {
      for (ProcessBenchItem item : s.items()) {
        List<List<Double>> steps = samples.get(item.id());
        if (steps == null || steps.size() < item.steps().size()) {
          throw new IllegalArgumentException("item '" + item.id() + "' of subset " + s.name() + " has no sample rewards for each of its "
              + item.steps().size() + " steps");
        }
        for (List<Double> step : steps.subList(0, item.steps().size())) {
          if (k == -1) k = step.size();
          if (step.size() != k) {
            throw new IllegalArgumentException("item '" + item.id() + "' of subset " + s.name() + " has " + step.size()
                + " samples at a step where other steps have " + k);
          }
        }
      }
    }
    return Math.max(k, 0);
  }

  private static List<int[]> draws(int k, int size) {
    List<int[]> out = new ArrayList<>();
    if (CombinatoricsUtils.binomialCoefficient(k, size) <= MAX_DRAWS) {
      new Combinations(k, size).iterator().forEachRemaining(out::add);
    } else {
      RandomDataGenerator rng = new RandomDataGenerator(new Well19937c(size));
      for (int d = 0; d < MAX_DRAWS; d++) out.add(rng.nextPermutation(k, size));
    }
    return out;
  }

  /** Each step's mean over the given sample positions, for the subsets' items and steps only (a
   *  predictions file may hold more, which sampleCount did not check). */
  private static Map<String, List<Double>> meanRewards(List<ProcessBenchSubset> subsets, Map<String, List<List<Double>>> samples,
      int[] positions) {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    for (ProcessBenchSubset s : subsets) {
      for (ProcessBenchItem item : s.items()) {
        out.put(item.id(), samples.get(item.id()).subList(0, item.steps().size()).stream().map(step -> {
          double sum = 0;
          for (int p : positions) sum += step.get(p);
          return sum / positions.length;
        }).toList());
      }
    }
    return out;
  }
}
