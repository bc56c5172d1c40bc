package ai.coach.prm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ProcessBench's metric. A step is flagged when its reward is below the threshold (a reward
 * equal to the threshold passes); the prediction is the first flagged step, or -1. Within a
 * subset, erroneous and correct items are scored apart and combined by their harmonic mean, so
 * a PRM cannot score well by flagging everything or nothing. A group with no items has accuracy
 * 0: it gives no evidence that the PRM handles that kind of item.
 */
public final class PrmMetrics {

  private PrmMetrics() {}

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
      int errors = 0;
      int errorsRight = 0;
      int corrects = 0;
      int correctsRight = 0;
      for (ProcessBenchItem item : s.items()) {
        List<Double> r = rewards.get(item.id());
        if (r == null) throw new IllegalArgumentException("no step rewards for item '" + item.id() + "' of subset " + s.name());
        if (r.size() < item.steps().size()) {
          throw new IllegalArgumentException("item '" + item.id() + "' of subset " + s.name() + " has " + item.steps().size()
              + " steps but " + r.size() + " step rewards");
        }
        int predicted = firstBelow(r.subList(0, item.steps().size()), threshold);
        if (item.erroneous()) {
          errors++;
          if (predicted == item.label()) errorsRight++;
        } else {
          corrects++;
          if (predicted == -1) correctsRight++;
        }
      }
      double accError = errors == 0 ? 0 : (double) errorsRight / errors;
      double accCorrect = corrects == 0 ? 0 : (double) correctsRight / corrects;
      SubsetMetrics m = new SubsetMetrics(accError, accCorrect, f1(accError, accCorrect), s.items().size());
      out.put(s.name(), m);
      sum += m.f1();
    }
    return new MetricsReport(out, subsets.isEmpty() ? 0 : sum / subsets.size());
  }
}
