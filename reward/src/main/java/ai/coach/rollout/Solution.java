package ai.coach.rollout;

import java.io.Serializable;
import java.util.List;

/**
 * One sampled solution of a task, split into steps (one per line, as the policy writes them).
 *
 * @param sample index among the task's samples
 * @param finalAnswer the extracted final answer, or null when the solution gives none
 * @param correct whether the final answer equals the gold one (null until graded)
 */
public record Solution(
    String taskId, int sample, String text, List<String> steps, String finishReason, String finalAnswer, Boolean correct)
    implements Serializable {

  public Solution graded(String extracted, boolean isCorrect) {
    return new Solution(taskId, sample, text, steps, finishReason, extracted, isCorrect);
  }
}
