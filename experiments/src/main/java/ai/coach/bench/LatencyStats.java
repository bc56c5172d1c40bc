package ai.coach.bench;

import java.util.Arrays;

/** Percentiles of a set of latencies in milliseconds. */
public record LatencyStats(int count, double p50Ms, double p99Ms, double meanMs) {

  public static LatencyStats of(double[] millis) {
    if (millis.length == 0) {
      throw new IllegalArgumentException("no latencies measured");
    }
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    return new LatencyStats(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99), Arrays.stream(sorted).average().orElseThrow());
  }

  /** The nearest-rank percentile. */
  private static double rank(double[] sorted, double quantile) {
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
