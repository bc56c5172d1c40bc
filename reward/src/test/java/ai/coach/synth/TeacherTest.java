package ai.coach.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.critic.CodeExecutor;
import ai.coach.critic.SandboxCodeExecutor;
import ai.coach.sandbox.CodeSandbox;
import ai.coach.sandbox.SandboxConfig;
import ai.coach.testbed.ArithmeticGenerator;
import ai.coach.testbed.ArithmeticProblem;
import ai.coach.testbed.ErrorInjector;
import ai.coach.testbed.ErrorInjector.Labelled;
import ai.coach.testbed.ErrorKind;
import ai.coach.testbed.ProcessBenchItem;
import ai.coach.testbed.SolutionChecker;
import ai.coach.testbed.Split;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The teacher's rationales, their code run in the real bubblewrap sandbox. */
class TeacherTest {

  static SandboxCodeExecutor sandbox;
  /**
   * One session for everything: each check assigns what it prints, so sharing the namespace does
   * not change an output, and a session per solution would start hundreds of Python workers.
   */
  static CodeExecutor.Session session;

  @BeforeAll
  static void open() {
    sandbox = new SandboxCodeExecutor(new CodeSandbox(SandboxConfig.DEFAULTS.withPool(2, 1)));
    session = sandbox.openSession();
  }

  @AfterAll
  static void close() {
    session.close();
    sandbox.close();
  }

  /** Gold chain 651 + 73 = 724, 724 − 552 = 172, 172 × 3 = 516. */
  static final ArithmeticProblem TRIP = new ArithmeticProblem("trip", "A trip ...", List.of(
      "Step 1: With the detour the trip is 651 + 73 = 724 kilometers long.",
      "Step 2: After the first day 724 − 552 = 172 kilometers are left.",
      "Step 3: Three such trips are 172 × 3 = 516 kilometers. The answer is \\boxed{516}."), "516");

  /** The rationale of {@code step1} in place of the gold first step, the gold steps after it. */
  static Rationale first(String step1) {
    return Teacher.write(TRIP, List.of(step1, TRIP.steps().get(1), TRIP.steps().get(2)), session).get(0);
  }

  @Test
  void goldSolutionsAreRightStepByStepAndTheirChecksPrintTrue() {
    for (ArithmeticProblem p : new ArithmeticGenerator(7, Split.TRAIN).generate(40)) {
      List<Rationale> rs = Teacher.write(p, p.steps(), session);
      assertEquals(p.steps().size(), rs.size());
      for (Rationale r : rs) {
        assertTrue(r.correct(), () -> p.id() + ": " + r);
        assertTrue(r.codeOutput().endsWith(" True"), r.codeOutput());
        assertTrue(r.analysis().endsWith(" The numbers and the operation are right.\n"), r.analysis());
      }
    }
  }

  @Test
  void rightStepHasTheFixedTemplateAndCommutedOperandsAreAccepted() {
    Rationale r = first("Step 1: The trip is 73 + 651 = 724 kilometers.");
    assertEquals(new Rationale(
        "724 is what the paragraph gets for 73 + 651, and 651 + 73 is needed. The numbers and the operation are right.\n",
        "computed = 73 + 651\nprint(computed, computed == 724)", "724 True", true), r);
  }

  @Test
  void rationaleRoundTripsThroughTheStagesJsonLines() throws Exception {
    Rationale r = first("Step 1: The trip is 73 + 651 = 724 kilometers.");
    assertEquals(r, Journal.JSON.readValue(Journal.JSON.writeValueAsString(r), Rationale.class));
  }

  @Test
  void arithmeticSlipLeavesTheAnalysisAsForARightStepAndTheCodeFindsIt() {
    Rationale r = first("Step 1: The trip is 651 + 73 = 734 kilometers.");
    assertEquals("734 is what the paragraph gets for 651 + 73, and 651 + 73 is needed. The numbers and the operation are right.\n",
        r.analysis());
    assertEquals("computed = 651 + 73\nprint(computed, computed == 734)", r.code());
    assertEquals("724 False", r.codeOutput());
    assertFalse(r.correct());
  }

  @Test
  void wrongNumbersAndOperationsAreNamed() {
    assertEquals("688 is what the paragraph gets for 651 + 37, and 651 + 73 is needed. It uses 37 instead of 73.\n",
        first("Step 1: 651 + 37 = 688.").analysis());
    assertEquals("688 is what the paragraph gets for 37 + 651, and 651 + 73 is needed. It uses 37 instead of 73.\n",
        first("Step 1: 37 + 651 = 688.").analysis());
    assertEquals("724 is what the paragraph gets for 650 + 74, and 651 + 73 is needed. It uses 650 and 74 instead of 651 and 73.\n",
        first("Step 1: 650 + 74 = 724.").analysis());
    // A wrong operation done right: the code passes it, the analysis does not.
    Rationale op = first("Step 1: 651 - 73 = 578.");
    assertEquals("578 is what the paragraph gets for 651 − 73, and 651 + 73 is needed. It uses − instead of +.\n", op.analysis());
    assertEquals("578 True", op.codeOutput());
    assertFalse(op.correct());
    // Both the operation and a number can be wrong at once.
    Rationale both = Teacher.write(TRIP, List.of(TRIP.steps().get(0), "Step 2: 724 ÷ 4 = 181.", TRIP.steps().get(2)), session).get(1);
    assertEquals("181 is what the paragraph gets for 724 ÷ 4, and 724 − 552 is needed. It uses ÷ instead of −. It uses 4 instead of 552.\n",
        both.analysis());
    assertEquals("computed = 724 // 4\nprint(computed, computed == 181)", both.code());
    assertEquals("181 True", both.codeOutput());
    assertFalse(both.correct());
  }

  @Test
  void checkOutputIsPredictedExactlyForLargeNegativeAndInexactResultsAndDivisionByZero() {
    Rationale huge = first("Step 1: 9999999999 × 9999999999 = 1.");
    assertEquals("99999999980000000001 False", huge.codeOutput());
    Rationale negative = first("Step 1: 73 − 651 = 578.");
    assertEquals("-578 False", negative.codeOutput());
    Rationale inexact = first("Step 1: 651 ÷ 2 = 325.");
    assertEquals("325 True", inexact.codeOutput());
    assertFalse(inexact.correct());
    Rationale byZero = first("Step 1: 651 ÷ 0 = 0.");
    assertEquals(new Rationale("0 is what the paragraph gets for 651 ÷ 0, and 651 + 73 is needed."
        + " It uses ÷ instead of +. It uses 0 instead of 73.\n", "print(0 != 0)", "False", false), byZero);
  }

  @Test
  void stepWithoutACalculationGetsACheckWithoutAComparison() {
    assertEquals(new Rationale("651 + 73 is needed, but the paragraph writes no calculation.\n",
        "computed = 651 + 73\nprint(computed)", "724", false), first("Step 1: First add the detour."));
  }

  @Test
  void lastStepMustBoxItsOwnResultAndTheSolutionMustHaveTheGoldLength() {
    List<String> boxedWrong = List.of(TRIP.steps().get(0), TRIP.steps().get(1),
        "Step 3: Three such trips are 172 × 3 = 516 kilometers. The answer is \\boxed{561}.");
    Rationale last = Teacher.write(TRIP, boxedWrong, session).get(2);
    assertEquals("516 is what the paragraph gets for 172 × 3, and 172 × 3 is needed. The numbers and the operation are right."
        + " The boxed answer 561 is not its result 516.\n", last.analysis());
    assertEquals("computed = 172 * 3\nprint(computed, computed == 516)", last.code());
    assertEquals("516 True", last.codeOutput());
    assertFalse(last.correct());

    List<String> unboxed = List.of(TRIP.steps().get(0), TRIP.steps().get(1), "Step 3: Three such trips are 172 × 3 = 516.");
    assertTrue(Teacher.write(TRIP, unboxed, session).get(2).analysis().endsWith(" It gives no boxed answer.\n"));

    List<String> early = List.of(TRIP.steps().get(0), "Step 2: 724 − 552 = 172 are left. The answer is \\boxed{172}.");
    List<Rationale> stopped = Teacher.write(TRIP, early, session);
    assertTrue(stopped.get(0).correct());
    assertEquals("172 is what the paragraph gets for 724 − 552, and 724 − 552 is needed. The numbers and the operation are right."
        + " The solution stops here, but the problem needs 3 paragraphs.\n", stopped.get(1).analysis());
    assertFalse(stopped.get(1).correct());

    List<String> longer = List.of(TRIP.steps().get(0), TRIP.steps().get(1), TRIP.steps().get(2), "Step 4: 516 + 1 = 517.");
    List<Rationale> extra = Teacher.write(TRIP, longer, session);
    assertTrue(extra.get(2).correct());
    assertEquals(new Rationale("3 paragraphs solve the problem, so the solution should have stopped before Paragraph 4.\n",
        "print(4 <= 3)", "False", false), extra.get(3));
  }

  @Test
  void firstWrongStepIsTheProcessBenchLabel() {
    long seed = 11;
    List<Labelled> items = ErrorInjector.processBench(300, seed, Split.TEST);
    Map<String, ArithmeticProblem> gold = goldProblems(items, seed, Split.TEST);
    int wrongItems = 0;
    for (Labelled l : items) {
      ProcessBenchItem item = l.item();
      ArithmeticProblem p = gold.get(item.id());
      List<Rationale> rs = Teacher.write(p, item.steps(), session);
      int firstWrong = -1;
      for (int i = 0; i < rs.size() && firstWrong < 0; i++) if (!rs.get(i).correct()) firstWrong = i;
      assertEquals(item.label(), firstWrong, () -> item.id() + " " + item.steps() + "\n" + rs);
      assertEquals(SolutionChecker.check(p, item.steps()).step(), firstWrong);
      if (item.label() < 0) continue;
      wrongItems++;
      Rationale at = rs.get(item.label());
      assertTrue(at.codeOutput().endsWith(" True") || at.codeOutput().endsWith(" False"), at.codeOutput());
      if (l.kind().orElseThrow().category() == ErrorKind.Category.ARITHMETIC) {
        // Only the code can tell an arithmetic slip: the analysis reads as for a right step.
        assertTrue(at.analysis().contains("The numbers and the operation are right"), at.analysis());
        assertTrue(at.codeOutput().endsWith(" False"), at.codeOutput());
      } else {
        assertTrue(at.analysis().contains(" instead of "), at.analysis());
      }
      // Later steps redo their computation on the carried wrong value: still wrong by the gold chain.
      for (Rationale later : rs.subList(item.label(), rs.size())) assertFalse(later.correct());
    }
    assertTrue(wrongItems > 100, "items with an error: " + wrongItems);
  }

  @Test
  void sandboxDisagreeingWithTheTeacherIsAnErrorNamingTheStep() {
    CodeExecutor.Session liar = new CodeExecutor.Session() {
      @Override
      public String run(String code) {
        return code.contains("724 - 552") ? "172 False" : session.run(code);
      }

      @Override
      public void close() {}
    };
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Teacher.write(TRIP, TRIP.steps(), liar));
    assertTrue(e.getMessage().startsWith("problem trip, paragraph 2: the sandbox printed '172 False'"), e.getMessage());
  }

  /** The problems `ErrorInjector.processBench` made its items from: the generator's sequence for that seed and split. */
  static Map<String, ArithmeticProblem> goldProblems(List<Labelled> items, long seed, Split split) {
    Set<String> ids = items.stream().map(l -> l.item().id()).collect(Collectors.toSet());
    ArithmeticGenerator generator = new ArithmeticGenerator(seed, split);
    Map<String, ArithmeticProblem> out = new HashMap<>();
    for (int i = 0; out.size() < ids.size(); i++) {
      if (i > 10 * ids.size()) throw new IllegalStateException("problems of the items not found");
      ArithmeticProblem p = generator.next();
      if (ids.contains(p.id())) out.put(p.id(), p);
    }
    return out;
  }
}
