package ai.coach.testbed;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns gold solutions into ProcessBench items: the gold solution itself (label -1), or one with a
 * mistake at some step whose later steps redo their own computations correctly from the wrong
 * value, as a solver that slipped once would. Steps before the mistake are the gold steps.
 */
public final class ErrorInjector {

  /** The {@code generator} field of injected items. */
  public static final String GENERATOR = "coach-arithmetic-injector";

  /** Values a wrong solution may reach: mistakes can inflate numbers, but not without bound. */
  static final long MAX_WRONG_VALUE = 9_999_999;

  private static final Pattern NUMBER = Pattern.compile("\\d+");

  /** An item together with the mistake made in it, if any. */
  public record Labelled(ProcessBenchItem item, Optional<ErrorKind> kind) {}

  private ErrorInjector() {}

  /** {@code n} items on problems of {@code split}; each is correct with probability one half. */
  public static List<Labelled> processBench(int n, long seed, Split split) {
    if (n < 0) {
      throw new IllegalArgumentException("number of items must be >= 0, got " + n);
    }
    // The problems are those `data problems` gives for the same seed and split; the choices of
    // mistakes come from a separate stream so they do not shift the problem sequence.
    ArithmeticGenerator problems = new ArithmeticGenerator(seed, split);
    SplittableRandom rng = new SplittableRandom(seed).split();
    List<Labelled> out = new ArrayList<>(n);
    while (out.size() < n) {
      ArithmeticProblem p = problems.next();
      if (rng.nextBoolean()) {
        out.add(correct(p));
      } else {
        injectAny(p, rng).ifPresent(out::add);
      }
    }
    return out;
  }

  public static Labelled correct(ArithmeticProblem p) {
    return new Labelled(
        new ProcessBenchItem(p.id(), GENERATOR, p.problem(), p.steps(), true, -1),
        Optional.empty());
  }

  /**
   * A mistake of a kind drawn with weights (half arithmetic slips, a quarter operand errors, a
   * quarter wrong operations); when the drawn kind fits no step, the other kinds are tried.
   */
  public static Optional<Labelled> injectAny(ArithmeticProblem p, SplittableRandom rng) {
    List<ErrorKind> order = weightedOrder(rng);
    for (ErrorKind kind : order) {
      Optional<Labelled> item = inject(p, kind, rng);
      if (item.isPresent()) {
        return item;
      }
    }
    return Optional.empty();
  }

  /** A mistake of {@code kind} at a random step where one fits, or empty when none does. */
  public static Optional<Labelled> inject(ArithmeticProblem p, ErrorKind kind, SplittableRandom rng) {
    List<Equation> gold = SolutionChecker.goldEquations(p);
    List<Long> problemNumbers = numbersIn(p.problem());
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < gold.size(); i++) {
      positions.add(i);
    }
    shuffle(positions, rng);
    for (int at : positions) {
      List<Equation> wrongSteps = candidates(kind, gold.get(at), at, problemNumbers);
      shuffle(wrongSteps, rng);
      for (Equation wrong : wrongSteps) {
        Optional<List<Equation>> chain = carry(gold, at, wrong);
        if (chain.isPresent()) {
          return Optional.of(new Labelled(render(p, chain.get(), at), Optional.of(kind)));
        }
      }
    }
    return Optional.empty();
  }

  private static List<ErrorKind> weightedOrder(SplittableRandom rng) {
    List<ErrorKind> pool = new ArrayList<>();
    // Out of 24: arithmetic slips 12, operand errors 6, wrong operations 6.
    addTimes(pool, ErrorKind.DIGIT_SLIP, 4);
    addTimes(pool, ErrorKind.TRANSPOSED_DIGITS, 4);
    addTimes(pool, ErrorKind.CARRY_SLIP, 4);
    addTimes(pool, ErrorKind.WRONG_OPERAND, 3);
    addTimes(pool, ErrorKind.MISCOPIED_OPERAND, 3);
    addTimes(pool, ErrorKind.WRONG_OPERATION, 6);
    Set<ErrorKind> order = new LinkedHashSet<>();
    while (order.size() < ErrorKind.values().length) {
      order.add(pool.get(rng.nextInt(pool.size())));
    }
    return new ArrayList<>(order);
  }

  private static void addTimes(List<ErrorKind> pool, ErrorKind kind, int times) {
    for (int i = 0; i < times; i++) {
      pool.add(kind);
    }
  }

  /** Wrong versions of {@code step}, each differing from it in its result. */
  static List<Equation> candidates(ErrorKind kind, Equation step, int at, List<Long> problemNumbers) {
    List<Equation> out = new ArrayList<>();
    long l = step.left();
    long r = step.right();
    long c = step.result();
    switch (kind) {
      case DIGIT_SLIP -> digitSlips(c).forEach(v -> out.add(new Equation(l, step.op(), r, v)));
      case TRANSPOSED_DIGITS ->
          transpositions(c).forEach(v -> out.add(new Equation(l, step.op(), r, v)));
      case CARRY_SLIP -> carrySlips(step).forEach(v -> out.add(new Equation(l, step.op(), r, v)));
      case WRONG_OPERAND -> {
        for (long y : new LinkedHashSet<>(problemNumbers)) {
          if (y != r) {
            computed(l, step.op(), y).ifPresent(out::add);
          }
          // Only the first step takes both operands from the problem; later ones carry the left.
          if (at == 0 && y != l) {
            computed(y, step.op(), r).ifPresent(out::add);
          }
        }
      }
      case MISCOPIED_OPERAND -> {
        for (long y : miscopies(r)) {
          computed(l, step.op(), y).ifPresent(out::add);
        }
        if (at == 0) {
          for (long y : miscopies(l)) {
            computed(y, step.op(), r).ifPresent(out::add);
          }
        }
      }
      case WRONG_OPERATION -> {
        for (Op op : Op.values()) {
          if (op != step.op()) {
            computed(l, op, r).ifPresent(out::add);
          }
        }
      }
    }
    out.removeIf(e -> e.result() == c || e.result() <= 0 || e.result() > MAX_WRONG_VALUE);
    return out;
  }

  private static Optional<Equation> computed(long left, Op op, long right) {
    OptionalLong v = op.apply(left, right);
    return v.isPresent() ? Optional.of(new Equation(left, op, right, v.getAsLong())) : Optional.empty();
  }

  /**
   * The solution with {@code wrong} at step {@code at} and every later step recomputed from the
   * wrong value; empty when a later step would leave the integers (a division that no longer comes
   * out even) or the range of plausible values.
   */
  private static Optional<List<Equation>> carry(List<Equation> gold, int at, Equation wrong) {
    List<Equation> out = new ArrayList<>(gold.subList(0, at));
    out.add(wrong);
    long value = wrong.result();
    for (int i = at + 1; i < gold.size(); i++) {
      Equation g = gold.get(i);
      OptionalLong next = g.op().apply(value, g.right());
      if (next.isEmpty() || next.getAsLong() <= 0 || next.getAsLong() > MAX_WRONG_VALUE) {
        return Optional.empty();
      }
      out.add(new Equation(value, g.op(), g.right(), next.getAsLong()));
      value = next.getAsLong();
    }
    return value == gold.get(gold.size() - 1).result() ? Optional.empty() : Optional.of(out);
  }

  private static ProcessBenchItem render(ArithmeticProblem p, List<Equation> chain, int at) {
    List<String> steps = new ArrayList<>(p.steps().subList(0, at));
    for (int i = at; i < chain.size(); i++) {
      steps.add(chain.get(i).replaceIn(p.steps().get(i)));
    }
    int last = steps.size() - 1;
    String answer = Long.toString(chain.get(last).result());
    steps.set(last, SolutionFormat.replaceAnswer(steps.get(last), answer));
    return new ProcessBenchItem(p.id(), GENERATOR, p.problem(), steps, false, at);
  }

  static List<Long> numbersIn(String text) {
    List<Long> out = new ArrayList<>();
    Matcher m = NUMBER.matcher(text);
    while (m.find()) {
      out.add(Long.parseLong(m.group()));
    }
    return out;
  }

  /** Each digit moved one up or down, the leading digit never to zero. */
  static List<Long> digitSlips(long value) {
    char[] digits = Long.toString(value).toCharArray();
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < digits.length; i++) {
      for (int delta : new int[] {-1, 1}) {
        int d = digits[i] - '0' + delta;
        if (d < 0 || d > 9 || (i == 0 && d == 0 && digits.length > 1)) {
          continue;
        }
        char[] copy = digits.clone();
        copy[i] = (char) ('0' + d);
        out.add(Long.parseLong(new String(copy)));
      }
    }
    return out;
  }

  /** Each pair of neighbouring, different digits swapped, never putting a zero in front. */
  static List<Long> transpositions(long value) {
    char[] digits = Long.toString(value).toCharArray();
    List<Long> out = new ArrayList<>();
    for (int i = 0; i + 1 < digits.length; i++) {
      if (digits[i] == digits[i + 1] || (i == 0 && digits[1] == '0')) {
        continue;
      }
      char[] copy = digits.clone();
      copy[i] = digits[i + 1];
      copy[i + 1] = digits[i];
      out.add(Long.parseLong(new String(copy)));
    }
    return out;
  }

  /**
   * Results with one carry mishandled. For sums, a carry that really happens is dropped; for
   * differences, a borrow that really happens is forgotten in the next column; for products and
   * quotients, whose column work is longer, a carry is dropped or added at any column above the
   * units.
   */
  static List<Long> carrySlips(Equation step) {
    List<Long> out = new ArrayList<>();
    long l = step.left();
    long r = step.right();
    long c = step.result();
    switch (step.op()) {
      case ADD -> {
        long carry = 0;
        for (long place = 1; l / place > 0 || r / place > 0; place *= 10) {
          long column = (l / place) % 10 + (r / place) % 10 + carry;
          carry = column >= 10 ? 1 : 0;
          if (carry == 1) {
            out.add(c - place * 10);
          }
        }
      }
      case SUBTRACT -> {
        long borrow = 0;
        for (long place = 1; l / place > 0; place *= 10) {
          long column = (l / place) % 10 - borrow - (r / place) % 10;
          borrow = column < 0 ? 1 : 0;
          if (borrow == 1) {
            out.add(c + place * 10);
          }
        }
      }
      case MULTIPLY, DIVIDE -> {
        for (long place = 10; place <= c; place *= 10) {
          out.add(c + place);
          out.add(c - place);
        }
      }
    }
    return out;
  }

  /** The number as it might be miscopied: one digit changed by one, or two digits swapped. */
  static List<Long> miscopies(long value) {
    List<Long> out = new ArrayList<>(transpositions(value));
    out.addAll(digitSlips(value));
    out.removeIf(v -> v <= 1 || v == value);
    return out;
  }

  private static <T> void shuffle(List<T> list, SplittableRandom rng) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
