package ai.coach.synth;

import java.util.ArrayList;
import java.util.List;

/**
 * Step labels from Monte Carlo estimates, GenPRM's Relative Progress Estimation: a step is good
 * when it keeps most of the chance of success its prefix had, P_t = MC(s_t) / MC(s_t-1) >= epsilon,
 * with MC(s_0) the policy's pass rate on the problem. Once a step's MC is 0 no later step can
 * recover, so every later step is bad. The hard-label baseline calls a step good when MC(s_t) > 0.
 */
public final class RelativeProgress {

  /** Per step: the progress ratio and both labels. */
  public record StepLabels(List<Double> progress, List<Boolean> rpe, List<Boolean> hard) {}

  private RelativeProgress() {}

  public static StepLabels label(double passRate, List<Double> mc, double epsilon) {
    List<Double> progress = new ArrayList<>();
    List<Boolean> rpe = new ArrayList<>();
    List<Boolean> hard = new ArrayList<>();
    double previous = passRate;
    boolean dead = false;
    for (double m : mc) {
      double p = dead || previous == 0 ? 0 : m / previous;
      dead |= m == 0;
      progress.add(p);
      rpe.add(!dead && p >= epsilon);
      hard.add(!dead);
      previous = m;
    }
    return new StepLabels(progress, rpe, hard);
  }
}
