package ai.coach.prm;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * ProcessBench metrics of one subset.
 *
 * @param accError share of erroneous items whose first step below the threshold is the labelled one
 * @param accCorrect share of correct items with no step below the threshold
 * @param f1 harmonic mean of the two; 0 when both are 0
 * @param n items scored
 */
public record SubsetMetrics(
    @JsonProperty("acc_error") double accError,
    @JsonProperty("acc_correct") double accCorrect,
    @JsonProperty("f1") double f1,
    @JsonProperty("n") int n) {}
