package ai.coach.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EquationTest {

  @Test
  void findsTheEquationInAStep() {
    Equation eq = Equation.find("Step 2: The boxes hold 37 × 48 = 1776 apples.").orElseThrow();
    assertEquals(new Equation(37, Op.MULTIPLY, 48, 1776), eq);
    assertTrue(eq.holds());
    assertFalse(new Equation(37, Op.MULTIPLY, 48, 1786).holds());
    assertEquals(Optional.empty(), Equation.find("Step 1: There are 12 apples."));
    assertEquals(1776, Equation.find("so 37 × 48 = 1776.").orElseThrow().result());
    assertEquals(Optional.empty(), Equation.find("so 3 × 2 = 6.5"), "a decimal is not an integer result");
  }

  @Test
  void acceptsTheAsciiOperatorsAModelMightWrite() {
    assertEquals(Op.SUBTRACT, Equation.find("so 900 - 45 = 855").orElseThrow().op());
    assertEquals(Op.MULTIPLY, Equation.find("so 12*3=36").orElseThrow().op());
    assertEquals(Op.DIVIDE, Equation.find("so 36 / 3 = 12").orElseThrow().op());
    assertTrue(Equation.find("so 36 / 3 = 12").orElseThrow().holds());
  }

  @Test
  void divisionMustComeOutEven() {
    assertFalse(new Equation(37, Op.DIVIDE, 2, 18).holds());
    assertTrue(new Equation(36, Op.DIVIDE, 2, 18).holds());
    assertFalse(new Equation(36, Op.DIVIDE, 0, 0).holds());
  }

  @Test
  void sameComputationAllowsSwappedOperandsOnlyWhenTheyCommute() {
    assertTrue(new Equation(3, Op.ADD, 4, 7).sameComputation(new Equation(4, Op.ADD, 3, 7)));
    assertTrue(new Equation(3, Op.MULTIPLY, 4, 12).sameComputation(new Equation(4, Op.MULTIPLY, 3, 12)));
    assertFalse(new Equation(9, Op.SUBTRACT, 4, 5).sameComputation(new Equation(4, Op.SUBTRACT, 9, 5)));
  }

  @Test
  void replacesOnlyTheEquation() {
    String line = "Step 3: Each friend pays 1776 ÷ 12 = 148 dollars.";
    assertEquals(
        "Step 3: Each friend pays 1776 ÷ 12 = 158 dollars.",
        new Equation(1776, Op.DIVIDE, 12, 158).replaceIn(line));
    assertThrows(IllegalArgumentException.class, () -> new Equation(1, Op.ADD, 1, 2).replaceIn("no math"));
  }

  @Test
  void checkerNamesWhatIsWrong() {
    ArithmeticProblem p =
        new ArithmeticProblem(
            "t",
            "Mia has 12 bags with 30 pens in each bag. Mia loses 25 of the pens. How many pens does Mia have left?",
            List.of("Step 1: Mia has 12 × 30 = 360 pens.", "Step 2: Mia has 360 − 25 = 335 pens left. The answer is \\boxed{335}."),
            "335");
    assertTrue(SolutionChecker.check(p, p.steps()).correct());
    assertVerdict(p, 0, SolutionChecker.Reason.NO_EQUATION, "Step 1: Mia has many pens.", p.steps().get(1));
    assertVerdict(p, 1, SolutionChecker.Reason.ARITHMETIC, p.steps().get(0), "Step 2: 360 − 25 = 345. \\boxed{345}");
    assertVerdict(p, 1, SolutionChecker.Reason.OPERATION, p.steps().get(0), "Step 2: 360 + 25 = 385. \\boxed{385}");
    assertVerdict(p, 1, SolutionChecker.Reason.OPERAND, p.steps().get(0), "Step 2: 360 − 30 = 330. \\boxed{330}");
    assertVerdict(p, 1, SolutionChecker.Reason.ANSWER, p.steps().get(0), "Step 2: 360 − 25 = 335. \\boxed{336}");
    assertVerdict(p, 1, SolutionChecker.Reason.ANSWER, p.steps().get(0), "Step 2: 360 − 25 = 335.");
    assertVerdict(p, 0, SolutionChecker.Reason.INCOMPLETE, "Step 1: Mia has 12 × 30 = 360 pens. \\boxed{360}");
    assertVerdict(p, 2, SolutionChecker.Reason.EXTRA_STEP, p.steps().get(0), p.steps().get(1), "Step 3: 335 + 0 = 335.");
    assertTrue(SolutionChecker.check(p, List.of("Step 1: 30 x 12 = 360", "Step 2: 360 - 25 = 335, \\boxed{335}")).correct());
  }

  private static void assertVerdict(ArithmeticProblem p, int step, SolutionChecker.Reason reason, String... steps) {
    var v = SolutionChecker.check(p, List.of(steps));
    assertEquals(step, v.step(), List.of(steps).toString());
    assertEquals(Optional.of(reason), v.reason(), List.of(steps).toString());
  }
}
