package ai.coach.testbed;

import java.util.List;
import java.util.Objects;

/**
 * One word problem with its gold solution: {@code steps} are the solution's lines, each stating
 * one equation, the last one also {@code \boxed{answer}}.
 */
public record ArithmeticProblem(String id, String problem, List<String> steps, String answer) {

  public ArithmeticProblem {
    Objects.requireNonNull(id, "missing field 'id'");
    Objects.requireNonNull(problem, "missing field 'problem'");
    Objects.requireNonNull(answer, "missing field 'answer'");
    steps = List.copyOf(Objects.requireNonNull(steps, "missing field 'steps'"));
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("problem " + id + " has no solution steps");
    }
  }
}
