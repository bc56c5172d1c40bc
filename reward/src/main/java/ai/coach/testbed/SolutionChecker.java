package ai.coach.testbed;

import java.util.List;
import java.util.Optional;

/**
 * Finds the earliest wrong step of a solution to a testbed problem by evaluating each step's
 * equation and comparing it with the gold step. A step is right when its equation holds and
 * performs the gold step's computation; the steps of a testbed problem form a chain, so once all
 * earlier steps are right there is exactly one right computation for the next.
 */
public final class SolutionChecker {

  /** Why a step is wrong. */
  public enum Reason {
    /** The step states no equation. */
    NO_EQUATION,
    /** The equation is false. */
    ARITHMETIC,
    /** A true equation with another operation than the problem calls for. */
    OPERATION,
    /** A true equation with the right operation on a wrong number. */
    OPERAND,
    /** The solution ends with this step before the problem is solved. */
    INCOMPLETE,
    /** The step comes after the problem was already solved. */
    EXTRA_STEP,
    /** The last step's computation is right but its boxed answer is missing or different. */
    ANSWER
  }

  /** The earliest wrong step and why, or {@code step == -1} when the solution is right. */
  public record Verdict(int step, Optional<Reason> reason) {
    public static final Verdict CORRECT = new Verdict(-1, Optional.empty());

    static Verdict wrong(int step, Reason reason) {
      return new Verdict(step, Optional.of(reason));
    }

    public boolean correct() {
      return step < 0;
    }
  }

  private SolutionChecker() {}

  public static Verdict check(ArithmeticProblem gold, List<String> steps) {
    List<Equation> expected = goldEquations(gold);
    int last = expected.size() - 1;
    for (int i = 0; i < steps.size(); i++) {
      if (i > last) {
        return Verdict.wrong(i, Reason.EXTRA_STEP);
      }
      Optional<Equation> stated = Equation.find(steps.get(i));
      if (stated.isEmpty()) {
        return Verdict.wrong(i, Reason.NO_EQUATION);
      }
      Equation eq = stated.get();
      Equation want = expected.get(i);
      if (!eq.holds()) {
        return Verdict.wrong(i, Reason.ARITHMETIC);
      }
      if (eq.op() != want.op()) {
        return Verdict.wrong(i, Reason.OPERATION);
      }
      if (!eq.sameComputation(want)) {
        return Verdict.wrong(i, Reason.OPERAND);
      }
      if (i == last
          && !SolutionFormat.boxedAnswer(steps.get(i)).map(gold.answer()::equals).orElse(false)) {
        return Verdict.wrong(i, Reason.ANSWER);
      }
      if (i == steps.size() - 1 && i < last) {
        return Verdict.wrong(i, Reason.INCOMPLETE);
      }
    }
    return steps.isEmpty() ? Verdict.wrong(0, Reason.INCOMPLETE) : Verdict.CORRECT;
  }

  /** The equation of every gold step; a gold step without one is a corrupt problem file. */
  public static List<Equation> goldEquations(ArithmeticProblem gold) {
    return gold.steps().stream()
        .map(
            s ->
                Equation.find(s)
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                "problem " + gold.id() + ": gold step has no equation: " + s)))
        .toList();
  }
}
