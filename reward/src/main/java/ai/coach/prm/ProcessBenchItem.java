package ai.coach.prm;

import java.util.List;

/**
 * One ProcessBench item: a solution split into steps and the 0-based index of its earliest wrong
 * step, or -1 when every step is right.
 *
 * @param finalAnswerCorrect null when the file does not say
 */
public record ProcessBenchItem(
    String id, String generator, String problem, List<String> steps, Boolean finalAnswerCorrect, int label) {

  public ProcessBenchItem {
    steps = List.copyOf(steps);
  }

  public boolean erroneous() {
    return label != -1;
  }
}
