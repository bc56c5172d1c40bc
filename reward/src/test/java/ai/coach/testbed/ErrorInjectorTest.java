package ai.coach.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.testbed.ErrorInjector.Labelled;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ErrorInjectorTest {

  private static final int N = 4000;
  private static final long SEED = 2024;
  private static List<Labelled> items;
  private static Map<String, ArithmeticProblem> gold;

  @BeforeAll
  static void build() {
    items = ErrorInjector.processBench(N, SEED, Split.TEST);
    gold = new HashMap<>();
    // The items are made on the problems `data problems` gives for the same seed and split.
    for (ArithmeticProblem p : new ArithmeticGenerator(SEED, Split.TEST).generate(2 * N)) {
      gold.put(p.id(), p);
    }
  }

  @Test
  void checkerFindsExactlyTheLabelledStep() {
    for (Labelled l : items) {
      ProcessBenchItem item = l.item();
      ArithmeticProblem p = gold.get(item.id());
      var verdict = SolutionChecker.check(p, item.steps());
      assertEquals(item.label(), verdict.step(), () -> item.id() + " " + item.steps());
      assertEquals(item.label() == -1, item.finalAnswerCorrect());
      assertEquals(p.problem(), item.problem());
      assertEquals(p.steps().size(), item.steps().size());
      if (item.label() >= 0) {
        ErrorKind kind = l.kind().orElseThrow();
        assertEquals(kind.category().name(), verdict.reason().orElseThrow().name(), item.id());
        assertEquals(p.steps().subList(0, item.label()), item.steps().subList(0, item.label()));
        assertNotEquals(p.steps().get(item.label()), item.steps().get(item.label()));
        String last = item.steps().get(item.steps().size() - 1);
        assertNotEquals(p.answer(), SolutionFormat.boxedAnswer(last).orElseThrow(), item.id());
      } else {
        assertTrue(l.kind().isEmpty());
        assertEquals(p.steps(), item.steps());
      }
    }
  }

  @Test
  void laterStepsRecomputeCorrectlyFromTheWrongValue() {
    for (Labelled l : items) {
      List<String> steps = l.item().steps();
      for (int i = l.item().label() + 1; i > 0 && i < steps.size(); i++) {
        Equation eq = Equation.find(steps.get(i)).orElseThrow();
        Equation before = Equation.find(steps.get(i - 1)).orElseThrow();
        assertTrue(eq.holds(), steps.get(i));
        assertEquals(before.result(), eq.left(), steps.get(i));
      }
      String last = steps.get(steps.size() - 1);
      assertEquals(
          Long.toString(Equation.find(last).orElseThrow().result()),
          SolutionFormat.boxedAnswer(last).orElseThrow());
    }
  }

  @Test
  void aboutHalfAreCorrectAndEveryKindAndPositionOccurs() {
    long correct = items.stream().filter(l -> l.item().label() == -1).count();
    assertEquals(N, items.size());
    assertTrue(Math.abs(correct - N / 2) < N * 0.04, "correct items: " + correct);
    Map<ErrorKind, Integer> kinds = new EnumMap<>(ErrorKind.class);
    Set<Integer> labels = new HashSet<>();
    for (Labelled l : items) {
      l.kind().ifPresent(k -> kinds.merge(k, 1, Integer::sum));
      labels.add(l.item().label());
    }
    for (ErrorKind k : ErrorKind.values()) {
      assertTrue(kinds.getOrDefault(k, 0) > (N / 2) * 0.05, "too few " + k + ": " + kinds);
    }
    long slips =
        kinds.entrySet().stream()
            .filter(e -> e.getKey().category() == ErrorKind.Category.ARITHMETIC)
            .mapToLong(Map.Entry::getValue)
            .sum();
    assertTrue(slips > (N - correct) * 0.4, "arithmetic slips should be the largest group: " + kinds);
    assertEquals(Set.of(-1, 0, 1, 2, 3, 4), labels);
  }

  @Test
  void sameSeedSameItems() {
    List<Labelled> again = ErrorInjector.processBench(300, SEED, Split.TEST);
    assertEquals(items.subList(0, 300), again);
    assertNotEquals(items.subList(0, 300), ErrorInjector.processBench(300, SEED + 1, Split.TEST));
  }

  @Test
  void eachKindCanBeRequested() {
    ArithmeticProblem p = new ArithmeticGenerator(9, Split.TRAIN).next();
    for (ErrorKind kind : ErrorKind.values()) {
      int made = 0;
      for (int s = 0; s < 50; s++) {
        var l = ErrorInjector.inject(p, kind, new SplittableRandom(s));
        if (l.isPresent()) {
          made++;
          assertEquals(kind, l.get().kind().orElseThrow());
          assertEquals(l.get().item().label(), SolutionChecker.check(p, l.get().item().steps()).step());
        }
      }
      assertTrue(made > 0, kind + " never fits " + p.steps());
    }
  }

  @Test
  void slipsArePlausible() {
    assertEquals(
        List.of(2776L, 1676L, 1876L, 1766L, 1786L, 1775L, 1777L), ErrorInjector.digitSlips(1776));
    assertFalse(ErrorInjector.digitSlips(1776).contains(776L), "leading digit must not become 0");
    assertEquals(List.of(7176L, 1767L), ErrorInjector.transpositions(1776));
    assertEquals(List.of(1503L, 1035L), ErrorInjector.transpositions(1053), "no leading zero from a swap");
    // 57 + 68 = 125: the units carry (7 + 8) and the tens carry (5 + 6 + 1) can each be dropped.
    assertEquals(List.of(115L, 25L), ErrorInjector.carrySlips(new Equation(57, Op.ADD, 68, 125)));
    // 503 - 78 = 425: borrows at the units and tens columns; forgetting one adds 10 or 100.
    assertEquals(List.of(435L, 525L), ErrorInjector.carrySlips(new Equation(503, Op.SUBTRACT, 78, 425)));
  }
}
