package ai.coach.synth;

import ai.coach.critic.CodeExecutor;
import ai.coach.testbed.ArithmeticProblem;
import ai.coach.testbed.Equation;
import ai.coach.testbed.Op;
import ai.coach.testbed.SolutionChecker;
import ai.coach.testbed.SolutionFormat;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The programmatic stand-in for GenPRM's rationale writer: it knows the gold equation chain of a
 * testbed problem and critiques each step of a solution against it.
 *
 * <p>Step t is compared with gold equation t, also after an earlier mistake, so a step that
 * carries a wrong value is wrong too (as {@link SolutionChecker} sees it). The analysis first
 * copies the paragraph's result and computation, then says which computation the step should do,
 * and names a wrong number, operation, boxed answer or length; it never says whether the arithmetic
 * is right, since that is the code's job (an analysis that did it would teach a critic to do
 * arithmetic in its head). The code redoes the paragraph's own arithmetic and compares it with the
 * stated result, so it finds the slips the analysis leaves alone; it really runs in the solution's
 * session, and its output must be what the teacher expects.
 *
 * <p>The order matters for a small critic. An earlier teacher wrote the needed computation first
 * and the paragraph's second; the two are usually equal, so the critic it trained learned to copy
 * its own first number instead of reading the paragraph, and judged right steps wrong (mean F1 0.19
 * against 0.37 with this order, docs/synthesis.md). The paragraph's result comes before its
 * computation: a critic that starts from the policy, copying "39 + 37 = 66", wrote the sum it
 * knows (76) instead of the paragraph's, and its check then passed the slip (docs/synthesis.md).
 *
 * <p>The texts are fixed templates, short because a five-step critique conversation must fit the
 * tiny critic's 1024 positions (the code's variable is {@code computed}, one token of the testbed
 * tokenizer). Every analysis starts with a digit: the forced prefix ends with a space, and a digit
 * is the one kind of character Qwen2's pre-tokenizer keeps apart from a space before it. Any other
 * start (a word, punctuation, a line break) joins that space when the template tokenizes the turn
 * as history, so the critic's tokens would not be the template's and {@link CritiqueConversation}
 * would refuse the example.
 */
public final class Teacher {

  private Teacher() {}

  /** What the teacher writes for one step and the output its code must print. */
  private record Plan(String analysis, String code, String expectedOutput, boolean correct) {}

  /**
   * One rationale per step of {@code steps}, a solution to {@code gold}; the code of each runs in
   * {@code session}, in step order, as the critic's snippets for one solution do.
   *
   * @throws IllegalStateException when the sandbox prints something else than the teacher expects
   */
  public static List<Rationale> write(ArithmeticProblem gold, List<String> steps, CodeExecutor.Session session) {
    List<Equation> chain = SolutionChecker.goldEquations(gold);
    List<Rationale> out = new ArrayList<>(steps.size());
    for (int i = 0; i < steps.size(); i++) {
      int paragraph = i + 1;
      Plan plan = i < chain.size()
          ? plan(paragraph, steps.get(i), chain.get(i), chain.size(), i == steps.size() - 1)
          : extra(paragraph, chain.size());
      String output = session.run(plan.code());
      if (!output.equals(plan.expectedOutput())) {
        throw new IllegalStateException("problem " + gold.id() + ", paragraph " + paragraph + ": the sandbox printed '"
            + output + "' for\n" + plan.code() + "\nbut the teacher expects '" + plan.expectedOutput() + "'");
      }
      out.add(new Rationale(plan.analysis(), plan.code(), output, plan.correct()));
    }
    return out;
  }

  /**
   * @param goldSteps length of the gold chain; its last step must give the boxed answer
   * @param endsSolution whether this is the solution's last step
   */
  private static Plan plan(int paragraph, String line, Equation want, int goldSteps, boolean endsSolution) {
    String needed = want.computation() + " is needed";
    Optional<Equation> found = Equation.find(line);
    if (found.isEmpty()) {
      return new Plan(needed + ", but the paragraph writes no calculation.\n", assignment(want) + "\nprint(computed)",
          python(want), false);
    }
    Equation wrote = found.get();
    StringBuilder analysis = new StringBuilder().append(wrote.result()).append(" is what the paragraph gets for ")
        .append(wrote.computation()).append(", and ").append(needed).append('.');
    boolean sameComputation = wrote.sameComputation(want);
    if (sameComputation) {
      analysis.append(" The numbers and the operation are right.");
    } else {
      if (wrote.op() != want.op()) {
        analysis.append(" It uses ").append(wrote.op().symbol()).append(" instead of ").append(want.op().symbol()).append('.');
      }
      analysis.append(operandSlips(want, wrote));
    }
    boolean answered = true;
    if (paragraph == goldSteps) {
      Optional<String> boxed = SolutionFormat.boxedAnswer(line);
      if (boxed.isEmpty()) {
        analysis.append(" It gives no boxed answer.");
        answered = false;
      } else if (!boxed.get().equals(Long.toString(wrote.result()))) {
        analysis.append(" The boxed answer ").append(boxed.get()).append(" is not its result ").append(wrote.result()).append('.');
        answered = false;
      }
    } else if (endsSolution) {
      analysis.append(" The solution stops here, but the problem needs ").append(goldSteps).append(" paragraphs.");
      answered = false;
    }
    Check check = check(wrote);
    return new Plan(analysis.append('\n').toString(), check.code(), check.output(),
        sameComputation && wrote.holds() && answered);
  }

  /** A check's code and what the sandbox must print for it. */
  private record Check(String code, String output) {}

  /**
   * Python that redoes the paragraph's own arithmetic and compares it with the result the paragraph
   * states. A division by 0 has nothing to compute, so its check only says the divisor is 0.
   */
  private static Check check(Equation wrote) {
    if (wrote.op() == Op.DIVIDE && wrote.right() == 0) return new Check("print(0 != 0)", "False");
    String value = python(wrote);
    return new Check(assignment(wrote) + "\nprint(computed, computed == " + wrote.result() + ")",
        value + " " + (value.equals(Long.toString(wrote.result())) ? "True" : "False"));
  }

  /** {@code computed = left op right}, the operator as Python writes it. */
  private static String assignment(Equation e) {
    return "computed = " + e.left() + " " + e.op().python() + " " + e.right();
  }

  /**
   * What Python prints for the left side of {@code e} on whole numbers: exact at any size, floor
   * division for ÷ (operands in a step are never negative, so floor and truncation agree).
   */
  private static String python(Equation e) {
    BigInteger l = BigInteger.valueOf(e.left());
    BigInteger r = BigInteger.valueOf(e.right());
    BigInteger value = switch (e.op()) {
      case ADD -> l.add(r);
      case SUBTRACT -> l.subtract(r);
      case MULTIPLY -> l.multiply(r);
      case DIVIDE -> l.divide(r);
    };
    return value.toString();
  }

  /** A step after the gold chain's last: the solution should have ended already. */
  private static Plan extra(int paragraph, int goldSteps) {
    return new Plan(goldSteps + " paragraphs solve the problem, so the solution should have stopped before Paragraph " + paragraph + ".\n",
        "print(" + paragraph + " <= " + goldSteps + ")", "False", false);
  }

  /**
   * The sentence naming the numbers {@code wrote} has in place of {@code want}'s, or "" when they
   * are the same; for + and × the operands may come in either order, so they are matched in the
   * order that keeps more of them.
   */
  private static String operandSlips(Equation want, Equation wrote) {
    long wantLeft = want.left();
    long wantRight = want.right();
    int inOrder = (wrote.left() == wantLeft ? 1 : 0) + (wrote.right() == wantRight ? 1 : 0);
    int swapped = (wrote.left() == wantRight ? 1 : 0) + (wrote.right() == wantLeft ? 1 : 0);
    if (want.op().commutative() && swapped > inOrder) {
      wantLeft = want.right();
      wantRight = want.left();
    }
    boolean leftRight = wrote.left() == wantLeft;
    boolean rightRight = wrote.right() == wantRight;
    if (leftRight && rightRight) return "";
    if (leftRight) return " It uses " + wrote.right() + " instead of " + wantRight + ".";
    if (rightRight) return " It uses " + wrote.left() + " instead of " + wantLeft + ".";
    return " It uses " + wrote.left() + " and " + wrote.right() + " instead of " + wantLeft + " and " + wantRight + ".";
  }
}
