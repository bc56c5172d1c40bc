package ai.coach.prm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-subset metrics and the plain mean of the subset F1s, as {@code metrics.json} holds them.
 *
 * @param bySamples for a run with K > 1 critiques per step, the expected mean F1 with 1..K of
 *     them (see {@link PrmMetrics#bySamples}); empty otherwise
 * @param f1Ci95 by subset, the 95% bootstrap interval of its F1 (see {@link PrmMetrics#f1Intervals});
 *     empty when only the point figures were asked for
 */
public record MetricsReport(
    @JsonProperty("subsets") Map<String, SubsetMetrics> subsets,
    @JsonProperty("mean_f1") double meanF1,
    @JsonProperty("by_samples") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<SamplesScore> bySamples,
    @JsonProperty("f1_ci95") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, double[]> f1Ci95) {

  public MetricsReport {
    bySamples = List.copyOf(bySamples);
    f1Ci95 = Collections.unmodifiableMap(new LinkedHashMap<>(f1Ci95));
  }

  MetricsReport with(List<SamplesScore> scores, Map<String, double[]> intervals) {
    return new MetricsReport(subsets, meanF1, scores, intervals);
  }
}
