package ai.coach.train;

import java.util.Map;

/**
 * A loss value, its gradient with respect to the scored tokens' log-probabilities (aligned with
 * {@link TokenBatch#scored()}), and named side metrics for logging (e.g. mean KL, clip fraction).
 */
public record LossValue(double loss, double[] gradLogProbs, Map<String, Double> metrics) {}
