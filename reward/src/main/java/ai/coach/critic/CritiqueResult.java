package ai.coach.critic;

import java.io.Serializable;
import java.util.List;

/**
 * The critique of one solution.
 *
 * @param stepRewards per step, the mean reward of its samples
 * @param steps per step, every sample's critique
 * @param feedback the first step below the threshold, or null when every step passed
 */
public record CritiqueResult(String id, List<Double> stepRewards, List<StepCritique> steps, Feedback feedback)
    implements Serializable {

  public CritiqueResult {
    stepRewards = List.copyOf(stepRewards);
    steps = List.copyOf(steps);
  }

  /** 0-based index of the first step below the threshold, or -1. */
  public int firstErrorStep() {
    return feedback == null ? -1 : feedback.step();
  }

  /** All samples of one step. */
  public record StepCritique(double reward, List<SampleCritique> samples) implements Serializable {
    public StepCritique {
      samples = List.copyOf(samples);
    }
  }

  /**
   * One critique sample of one step.
   *
   * @param analysis what the critic wrote after "step by step: ", up to the closing tag
   * @param codeRounds each executed verification block and what it printed
   * @param judgement the text generated for the judgement (e.g. "{Yes}$\n</output>\n")
   * @param reward P(Yes) / (P(Yes) + P(No)) at the judgement, 0.5 without one
   * @param fellBack true when the verification was dropped for a judgement straight from the analysis
   * @param text the whole assistant turn as the conversation keeps it
   * @param tokens tokens of that turn
   */
  public record SampleCritique(
      String analysis, List<CodeRound> codeRounds, String judgement, double reward, boolean fellBack, String text, int tokens)
      implements Serializable {
    public SampleCritique {
      codeRounds = List.copyOf(codeRounds);
    }
  }

  /** One executed verification block. */
  public record CodeRound(String code, String output) implements Serializable {}

  /**
   * What the refinement loop needs: the first step judged wrong and why.
   *
   * @param step 0-based step index
   * @param analysis the analysis of the first sample of that step
   */
  public record Feedback(int step, double reward, String analysis) implements Serializable {}
}
