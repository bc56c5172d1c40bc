package ai.coach.prm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Per-subset metrics and the plain mean of the subset F1s, as {@code metrics.json} holds them.
 *
 * @param bySamples for a run with K > 1 critiques per step, the expected mean F1 with 1..K of
 *     them (see {@link PrmMetrics#bySamples}); empty otherwise
 */
public record MetricsReport(
    @JsonProperty("subsets") Map<String, SubsetMetrics> subsets,
    @JsonProperty("mean_f1") double meanF1,
    @JsonProperty("by_samples") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<SamplesScore> bySamples) {

  public MetricsReport {
    bySamples = List.copyOf(bySamples);
  }

  MetricsReport withBySamples(List<SamplesScore> scores) {
    return new MetricsReport(subsets, meanF1, scores);
  }
}
