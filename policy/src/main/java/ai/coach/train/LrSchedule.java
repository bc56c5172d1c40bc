package ai.coach.train;

/**
 * Linear warm-up from 0 to {@code peak} over {@code warmupSteps}, then cosine decay to
 * {@code peak · minRatio} at {@code totalSteps}. Steps count from 1.
 */
public record LrSchedule(double peak, int warmupSteps, int totalSteps, double minRatio) {

  public double at(long step) {
    if (warmupSteps > 0 && step <= warmupSteps) return peak * step / warmupSteps;
    double span = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1.0, (step - warmupSteps) / span);
    double min = peak * minRatio;
    return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }
}
