package ai.coach.prm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** Per-subset metrics and the plain mean of the subset F1s, as {@code metrics.json} holds them. */
public record MetricsReport(
    @JsonProperty("subsets") Map<String, SubsetMetrics> subsets,
    @JsonProperty("mean_f1") double meanF1) {}
