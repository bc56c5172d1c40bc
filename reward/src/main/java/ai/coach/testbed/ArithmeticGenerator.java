package ai.coach.testbed;

import ai.coach.testbed.Story.Move;
import ai.coach.testbed.Story.Opening;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Multi-step arithmetic word problems with gold step-by-step solutions. Every step after the first
 * combines the previous step's result with a new number from the problem, so an error in one step
 * carries into all later ones.
 *
 * <p>The sequence of problems is a function of the seed and the split only ({@link
 * SplittableRandom}'s algorithm is fixed by its specification, so it is the same on every JVM).
 * Candidates outside the requested split are skipped, which is what keeps the splits disjoint for
 * any pair of seeds.
 */
public final class ArithmeticGenerator {

  public static final int MIN_STEPS = 2;
  public static final int MAX_STEPS = 5;
  /**
   * Largest value a gold step may reach. Two digits is what a 3M-parameter policy learns in an
   * hour of CPU training while still slipping on carries: with five-digit values such a model
   * solved 0.5% of test problems, with three-digit values 2% (4% of its equations right).
   */
  public static final long MAX_VALUE = 99;

  private final SplittableRandom rng;
  private final Split split;
  private final Set<String> issued = new HashSet<>();

  public ArithmeticGenerator(long seed, Split split) {
    this.rng = new SplittableRandom(seed);
    this.split = Objects.requireNonNull(split, "split");
  }

  public Split split() {
    return split;
  }

  /** The next problem of this split that this generator has not returned before. */
  public ArithmeticProblem next() {
    while (true) {
      ArithmeticProblem p = candidate();
      if (p != null && splitOf(p) == split && issued.add(p.id())) {
        return p;
      }
    }
  }

  public List<ArithmeticProblem> generate(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("number of problems must be >= 0, got " + n);
    }
    List<ArithmeticProblem> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  /**
   * The split a problem belongs to, decided by its text alone. The text fixes the numbers and the
   * operations, so the same problem is in the same split whoever generated it.
   */
  public static Split splitOf(ArithmeticProblem p) {
    return Split.ofKey(p.problem());
  }

  static String idOf(String problemText) {
    return "arith-" + Split.idOf(problemText);
  }

  /** One attempt; null when the random walk reaches a state it cannot continue from. */
  private ArithmeticProblem candidate() {
    Story story = pick(Stories.ALL);
    String name = pick(Stories.NAMES);
    String item = pick(story.items());
    int steps = MIN_STEPS + rng.nextInt(MAX_STEPS - MIN_STEPS + 1);

    Opening opening = pick(story.openings());
    long a = uniform(opening.aMin(), opening.aMax());
    long b = uniform(opening.bMin(), opening.bMax());
    OptionalLong first = opening.op().apply(a, b);
    if (first.isEmpty() || first.getAsLong() > MAX_VALUE) {
      return null;
    }
    long value = first.getAsLong();
    Equation eq0 = new Equation(a, opening.op(), b, value);
    List<String> sentences = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    sentences.add(fill(opening.sentence(), name, item, a, b, 0));
    lines.add(fill(opening.step(), name, item, a, b, 0).replace("{eq}", eq0.render()));
    String question = opening.question();
    String state = opening.to();
    Set<String> used = new HashSet<>();
    long parts = 0;

    for (int k = 1; k < steps; k++) {
      List<Move> options = new ArrayList<>();
      for (Move m : story.moves()) {
        if (m.from().equals(state) && !used.contains(m.key())) {
          options.add(m);
        }
      }
      shuffle(options);
      Move chosen = null;
      long x = 0;
      for (Move m : options) {
        OptionalLong operand = operandFor(m, value, parts);
        if (operand.isPresent()) {
          chosen = m;
          x = operand.getAsLong();
          break;
        }
      }
      if (chosen == null) {
        return null;
      }
      long result = chosen.op().apply(value, x).orElseThrow();
      Equation eq = new Equation(value, chosen.op(), x, result);
      sentences.add(fill(chosen.sentence(), name, item, a, b, x));
      lines.add(fill(chosen.step(), name, item, a, b, x).replace("{eq}", eq.render()));
      question = chosen.question();
      state = chosen.to();
      used.add(chosen.key());
      if (chosen.op() == Op.DIVIDE) {
        parts = x;
      }
      value = result;
    }

    sentences.add(fill(question, name, item, a, b, 0));
    String answer = Long.toString(value);
    List<String> stepLines = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = SolutionFormat.step(i, lines.get(i));
      stepLines.add(i == lines.size() - 1 ? SolutionFormat.withAnswer(line, answer) : line);
    }
    String text = String.join(" ", sentences);
    return new ArithmeticProblem(idOf(text), text, stepLines, answer);
  }

  /** A number for the move that keeps every value a positive integer within range, if any. */
  private OptionalLong operandFor(Move m, long value, long parts) {
    long lo = m.min();
    long max = m.takesParts() ? Math.min(m.max(), parts) : m.max();
    long hi =
        switch (m.op()) {
          case ADD -> Math.min(max, MAX_VALUE - value);
          case SUBTRACT -> Math.min(max, value - 2);
          case MULTIPLY -> Math.min(max, MAX_VALUE / value);
          case DIVIDE -> Math.min(max, value / 2);
        };
    if (hi < lo) {
      return OptionalLong.empty();
    }
    if (m.op() != Op.DIVIDE) {
      return OptionalLong.of(uniform(lo, hi));
    }
    List<Long> divisors = new ArrayList<>();
    for (long d = lo; d <= hi; d++) {
      if (value % d == 0) {
        divisors.add(d);
      }
    }
    return divisors.isEmpty() ? OptionalLong.empty() : OptionalLong.of(pick(divisors));
  }

  private static String fill(String template, String name, String item, long a, long b, long x) {
    return template
        .replace("{name}", name)
        .replace("{item}", item)
        .replace("{a}", Long.toString(a))
        .replace("{b}", Long.toString(b))
        .replace("{x}", Long.toString(x));
  }

  private long uniform(long lo, long hi) {
    return lo + rng.nextLong(hi - lo + 1);
  }

  private <T> T pick(List<T> options) {
    return options.get(rng.nextInt(options.size()));
  }

  private <T> void shuffle(List<T> list) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
