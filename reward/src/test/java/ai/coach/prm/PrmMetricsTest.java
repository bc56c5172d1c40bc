package ai.coach.prm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrmMetricsTest {

  static ProcessBenchItem item(String id, int steps, int label) {
    return new ProcessBenchItem(id, "g", "p", java.util.Collections.nCopies(steps, "s"), label == -1, label);
  }

  static ProcessBenchSubset subset(String name, ProcessBenchItem... items) {
    return new ProcessBenchSubset(name, Path.of(name + ".jsonl"), List.of(items));
  }

  @Test
  void handComputedF1PerSubsetAndTheirPlainMean() {
    // Subset a: 3 erroneous items, 2 found at the right step -> 2/3; 2 correct items, 1 passed -> 1/2.
    // F1 = 2 * (2/3) * (1/2) / (2/3 + 1/2) = (2/3) / (7/6) = 4/7.
    ProcessBenchSubset a = subset("a",
        item("a1", 3, 1), item("a2", 3, 0), item("a3", 3, 2), item("a4", 2, -1), item("a5", 2, -1));
    // Subset b: 1 erroneous item flagged one step late -> 0; 1 correct item passed -> 1. F1 = 0.
    ProcessBenchSubset b = subset("b", item("b1", 2, 0), item("b2", 2, -1));
    Map<String, List<Double>> r = new HashMap<>();
    r.put("a1", List.of(0.9, 0.2, 0.1));   // first below 0.5 at 1 = label
    r.put("a2", List.of(0.1, 0.9, 0.9));   // at 0 = label
    r.put("a3", List.of(0.3, 0.9, 0.1));   // at 0, label 2: wrong
    r.put("a4", List.of(0.8, 0.7));        // none below: right
    r.put("a5", List.of(0.8, 0.49));       // flagged: wrong
    r.put("b1", List.of(0.6, 0.1));
    r.put("b2", List.of(0.6, 0.6, 0.0));   // the reward beyond the item's steps is ignored
    MetricsReport m = PrmMetrics.score(List.of(a, b), r, 0.5);
    assertEquals(2.0 / 3, m.subsets().get("a").accError(), 1e-12);
    assertEquals(0.5, m.subsets().get("a").accCorrect(), 1e-12);
    assertEquals(4.0 / 7, m.subsets().get("a").f1(), 1e-12);
    assertEquals(5, m.subsets().get("a").n());
    assertEquals(0, m.subsets().get("b").accError());
    assertEquals(1, m.subsets().get("b").accCorrect());
    assertEquals(0, m.subsets().get("b").f1());
    assertEquals((4.0 / 7 + 0) / 2, m.meanF1(), 1e-12);
  }

  @Test
  void aRewardEqualToTheThresholdPasses() {
    ProcessBenchSubset s = subset("t", item("c", 2, -1), item("e", 2, 1));
    Map<String, List<Double>> r = Map.of("c", List.of(0.5, 0.5), "e", List.of(0.5, 0.4999));
    MetricsReport m = PrmMetrics.score(List.of(s), r, 0.5);
    assertEquals(1, m.subsets().get("t").accCorrect());
    assertEquals(1, m.subsets().get("t").accError());
    assertEquals(1, m.meanF1());
    // At threshold 0.6 both items flag step 0: the correct one fails, the erroneous one is early.
    MetricsReport strict = PrmMetrics.score(List.of(s), r, 0.6);
    assertEquals(0, strict.subsets().get("t").f1());
    assertEquals(0, PrmMetrics.firstBelow(List.of(0.5), 0.6));
    assertEquals(-1, PrmMetrics.firstBelow(List.of(0.5), 0.5));
  }

  @Test
  void emptySubsetsAndEmptyGroupsScoreZero() {
    ProcessBenchSubset empty = subset("empty");
    ProcessBenchSubset onlyCorrect = subset("only-correct", item("x", 1, -1));
    MetricsReport m = PrmMetrics.score(List.of(empty, onlyCorrect), Map.of("x", List.of(0.9)), 0.5);
    assertEquals(new SubsetMetrics(0, 0, 0, 0), m.subsets().get("empty"));
    // All correct items passed, but with no erroneous items acc_error is 0 and so is F1.
    assertEquals(new SubsetMetrics(0, 1, 0, 1), m.subsets().get("only-correct"));
    assertEquals(0, m.meanF1());
    assertEquals(0, PrmMetrics.score(List.of(), Map.of(), 0.5).meanF1());
  }

  @Test
  void missingOrShortPredictionsAreErrorsNamingTheItem() {
    ProcessBenchSubset s = subset("s", item("i1", 3, -1));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> PrmMetrics.score(List.of(s), Map.of(), 0.5));
    assertTrue(missing.getMessage().contains("'i1'"), missing.getMessage());
    IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class,
        () -> PrmMetrics.score(List.of(s), Map.of("i1", List.of(0.9)), 0.5));
    assertTrue(shorter.getMessage().contains("3 steps but 1"), shorter.getMessage());
  }

  @Test
  void bySamplesScoresEverySetOfSamplePositionsAsARunOfItsOwn() {
    ProcessBenchSubset s = subset("t", item("c", 1, -1), item("e", 1, 0));
    // Sample 0 judges both items right, sample 1 rejects the correct one too.
    Map<String, List<List<Double>>> samples = Map.of("c", List.of(List.of(1.0, 0.0)), "e", List.of(List.of(0.0, 0.0)));
    List<SamplesScore> by = PrmMetrics.bySamples(List.of(s), samples, 0.5);
    // One sample: {0} scores F1 1, {1} scores 0 (acc_correct 0). Two: c averages 0.5, which passes.
    assertEquals(List.of(new SamplesScore(1, 0.5, 0.5, 2), new SamplesScore(2, 1.0, 0.0, 1)), by);
    assertEquals(List.of(), PrmMetrics.bySamples(List.of(s), Map.of(), 0.5), "a PRM without samples");
    assertEquals(List.of(), PrmMetrics.bySamples(List.of(s), Map.of("c", List.of(List.of(1.0)), "e", List.of(List.of(0.0))), 0.5),
        "K = 1 is the run's own score");
  }

  @Test
  void bySamplesDrawsAtMostSeventySetsPerSize() {
    ProcessBenchSubset s = subset("t", item("c", 1, -1), item("e", 2, 1));
    List<Double> ten = java.util.Collections.nCopies(10, 0.9);
    List<Double> tenLow = java.util.Collections.nCopies(10, 0.1);
    Map<String, List<List<Double>>> samples = Map.of("c", List.of(ten), "e", List.of(ten, tenLow));
    List<SamplesScore> by = PrmMetrics.bySamples(List.of(s), samples, 0.5);
    assertEquals(List.of(10, 45, 70, 70, 70, 70, 70, 45, 10, 1), by.stream().map(SamplesScore::draws).toList());
    by.forEach(b -> assertEquals(new SamplesScore(b.samples(), 1.0, 0.0, b.draws()), b));
  }

  @Test
  void bySamplesScoresOnlyTheSubsetsItemsAndSteps() {
    ProcessBenchSubset s = subset("t", item("c", 1, -1), item("e", 1, 0));
    // A predictions file for a larger set: an item outside the subset and a step past the item's
    // last one, both with another number of samples, must neither count nor break the scoring.
    Map<String, List<List<Double>>> samples = Map.of("c", List.of(List.of(1.0, 1.0), List.of(0.0)), "e", List.of(List.of(0.0, 0.0)),
        "other", List.of(List.of(0.0)));
    assertEquals(List.of(new SamplesScore(1, 1.0, 0.0, 2), new SamplesScore(2, 1.0, 0.0, 1)), PrmMetrics.bySamples(List.of(s), samples, 0.5));
  }

  /** n items, half erroneous at step 0; the PRM judges the first 80% of each half right. */
  private static Map<String, double[]> intervalsOf(int n) {
    ProcessBenchItem[] items = new ProcessBenchItem[n];
    Map<String, List<Double>> r = new HashMap<>();
    for (int i = 0; i < n; i++) {
      boolean erroneous = i % 2 == 0;
      boolean right = (i / 2) < 0.8 * (n / 2);
      items[i] = item("i" + i, 1, erroneous ? 0 : -1);
      r.put("i" + i, List.of(erroneous == right ? 0.0 : 1.0));
    }
    ProcessBenchSubset s = subset("t", items);
    assertEquals(0.8, PrmMetrics.score(List.of(s), r, 0.5).meanF1(), 1e-12);
    return PrmMetrics.f1Intervals(List.of(s), r, 0.5);
  }

  @Test
  void f1IntervalsAreSeededBootstrapIntervalsThatNarrowWithMoreItems() {
    double[] small = intervalsOf(40).get("t");
    double[] large = intervalsOf(400).get("t");
    assertTrue(small[0] < 0.8 && 0.8 < small[1], java.util.Arrays.toString(small));
    assertTrue(large[0] < 0.8 && 0.8 < large[1], java.util.Arrays.toString(large));
    // The width of a binomial share's interval falls as 1 / sqrt(n): ten times the items, about a
    // third of the width (about 0.25 and 0.08 here).
    double ratio = (large[1] - large[0]) / (small[1] - small[0]);
    assertTrue(ratio > 0.2 && ratio < 0.45, "width ratio " + ratio);
    assertEquals(java.util.Arrays.toString(small), java.util.Arrays.toString(intervalsOf(40).get("t")), "seeded");
    // Right on every one of 20 items: every resample scores 1 (one without a correct item, which
    // would score 0, has odds of about 2e-6).
    ProcessBenchItem[] twenty = new ProcessBenchItem[20];
    Map<String, List<Double>> perfect = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      twenty[i] = item("i" + i, 1, i % 2 == 0 ? 0 : -1);
      perfect.put("i" + i, List.of(i % 2 == 0 ? 0.0 : 1.0));
    }
    double[] exact = PrmMetrics.f1Intervals(List.of(subset("p", twenty)), perfect, 0.5).get("p");
    assertEquals("[1.0, 1.0]", java.util.Arrays.toString(exact));
  }

  @Test
  void pairedDifferencesSeeAConsistentGainThatSeparateIntervalsCannot() {
    // 200 items, half erroneous at step 0. The baseline is right on 150 of them; the other PRM is
    // right on the same 150 and on 8 more erroneous ones: 4 points of F1, always in its favour.
    int n = 200;
    ProcessBenchItem[] items = new ProcessBenchItem[n];
    Map<String, List<Double>> baseline = new HashMap<>();
    Map<String, List<Double>> better = new HashMap<>();
    for (int i = 0; i < n; i++) {
      boolean erroneous = i % 2 == 0;
      items[i] = item("i" + i, 1, erroneous ? 0 : -1);
      boolean rightBase = i < 150;
      boolean rightBetter = rightBase || (erroneous && i < 166);
      baseline.put("i" + i, List.of(erroneous == rightBase ? 0.0 : 1.0));
      better.put("i" + i, List.of(erroneous == rightBetter ? 0.0 : 1.0));
    }
    List<ProcessBenchSubset> s = List.of(subset("t", items));
    PrmMetrics.PairedF1 d = PrmMetrics.pairedF1Differences(s, better, baseline, 0.5).get("t");
    double expected = PrmMetrics.score(s, better, 0.5).meanF1() - PrmMetrics.score(s, baseline, 0.5).meanF1();
    assertEquals(expected, d.difference(), 1e-12);
    assertTrue(d.ci95()[0] > 0 && d.ci95()[0] < expected && expected < d.ci95()[1], java.util.Arrays.toString(d.ci95()));
    double[] a = PrmMetrics.f1Intervals(s, better, 0.5).get("t");
    double[] b = PrmMetrics.f1Intervals(s, baseline, 0.5).get("t");
    assertTrue(a[0] < b[1], "the separate intervals overlap: " + java.util.Arrays.toString(a) + " " + java.util.Arrays.toString(b));
    PrmMetrics.PairedF1 same = PrmMetrics.pairedF1Differences(s, baseline, baseline, 0.5).get("t");
    assertEquals("0.0 [0.0, 0.0]", same.difference() + " " + java.util.Arrays.toString(same.ci95()));
  }

  @Test
  void unevenSampleCountsAreErrorsNamingTheItem() {
    ProcessBenchSubset s = subset("t", item("a", 1, -1), item("b", 2, 1));
    Map<String, List<List<Double>>> samples = Map.of("a", List.of(List.of(0.9, 0.8)), "b", List.of(List.of(0.9, 0.9), List.of(0.1)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrmMetrics.bySamples(List.of(s), samples, 0.5));
    assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("1 samples"), e.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> PrmMetrics.bySamples(List.of(s), Map.of("a", List.of(List.of(0.9, 0.8))), 0.5));
    assertTrue(missing.getMessage().contains("'b'"), missing.getMessage());
  }

  @Test
  void theDefaultThresholdPassesAnEvenSplitOfUnequallySureVotes() {
    double threshold = ai.coach.critic.CriticConfig.DEFAULT_THRESHOLD;
    // Two samples of one step in a K = 4 run of the shipped critic: a Yes and a No, each twice.
    double yes = 0.9998514580161785;
    double no = 1.2249189442296092e-07;
    double evenSplit = (yes + no + yes + no) / 4;
    assertTrue(evenSplit < 0.5, "the mean of the split falls below 0.5: " + evenSplit);
    assertEquals(-1, PrmMetrics.firstBelow(List.of(0.99, evenSplit), threshold));
    double threeOfEight = (3 * yes + 5 * no) / 8;
    assertEquals(1, PrmMetrics.firstBelow(List.of(0.99, threeOfEight), threshold));
  }
}
