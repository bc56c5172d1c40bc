package ai.coach.prm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Two PRMs scored on the same items ({@link PrmMetrics#compare}).
 *
 * @param difference by subset, F1 of {@code predictions} minus F1 of {@code baseline} with its
 *     paired bootstrap interval
 */
public record PrmComparison(
    @JsonProperty("predictions") MetricsReport predictions,
    @JsonProperty("baseline") MetricsReport baseline,
    @JsonProperty("difference") Map<String, PrmMetrics.PairedF1> difference) {}
