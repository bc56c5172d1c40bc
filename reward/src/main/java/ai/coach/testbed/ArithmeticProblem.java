package ai.coach.testbed;

import java.util.List;
import java.util.Objects;

/**
 * One word problem with its gold solution: {@code steps} are the solution's lines, each stating
 * one equation, the last one also {@code \boxed{answer}}.
 */
public record ArithmeticProblem(String id, String problem, List<String> steps, String answer) {

  public ArithmeticProblem {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(answer, "answer");
    steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("problem " + id + " has no solution steps");
    }
  }
}
