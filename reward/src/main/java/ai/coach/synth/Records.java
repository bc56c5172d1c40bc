package ai.coach.synth;

import java.io.Serializable;
import java.util.List;

/** What each synthesis stage writes, one JSON line per record. Plain data, no model objects. */
public final class Records {

  private Records() {}

  /** A sampled solution kept for labelling. */
  public record SampledPath(String id, String problemId, List<String> steps, boolean correct) implements Serializable {}

  /** Stage 1: a problem's samples; {@code kept} is empty when they were all right or all wrong. */
  public record ProblemSamples(String problemId, int samples, int correct, List<SampledPath> kept) implements Serializable {
    double passRate() {
      return (double) correct / samples;
    }
  }

  /**
   * Stage 2: MC(s_t) for every step of a kept solution, with the rollouts each estimate used (0
   * for the last step, which its own final answer scores).
   */
  public record Estimate(SampledPath path, double passRate, List<Double> mc, List<Integer> rollouts) implements Serializable {}

  /** Stage 3: the labels of a solution's steps. */
  public record Labelled(String id, String problemId, List<Double> progress, List<Boolean> rpe, List<Boolean> hard)
      implements Serializable {}

  /** Stage 4: the teacher's critique of every step. */
  public record Critique(String id, String problemId, List<Rationale> rationales) implements Serializable {}
}
