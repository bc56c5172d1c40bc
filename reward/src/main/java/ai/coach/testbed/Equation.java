package ai.coach.testbed;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one equation a solution step states, {@code left op right = result}. It is what makes a step
 * machine-checkable: whether it {@link #holds()} is decided by evaluating it.
 */
public record Equation(long left, Op op, long right, long result) {

  private static final Pattern PATTERN =
      Pattern.compile("(?<!\\d)(?<!\\d\\.)(\\d+)\\s*([+−\\-–×*x÷/])\\s*(\\d+)\\s*=\\s*(\\d+)(?!\\.?\\d)");

  /** The equation in a step line, or empty when the line states none. Only the first one counts. */
  public static Optional<Equation> find(String line) {
    Matcher m = PATTERN.matcher(line);
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Equation(
              Long.parseLong(m.group(1)),
              Op.ofSymbol(m.group(2)),
              Long.parseLong(m.group(3)),
              Long.parseLong(m.group(4))));
    } catch (NumberFormatException tooLong) {
      return Optional.empty();
    }
  }

  /**
   * Replaces the equation in {@code line} by this one, keeping the words around it. Fails when the
   * line has no equation, since the injector only edits lines it generated.
   */
  public String replaceIn(String line) {
    Matcher m = PATTERN.matcher(line);
    if (!m.find()) {
      throw new IllegalArgumentException("no equation in step: " + line);
    }
    return line.substring(0, m.start()) + render() + line.substring(m.end());
  }

  /** True when the stated result is what the operation gives. */
  public boolean holds() {
    return op.apply(left, right).stream().anyMatch(v -> v == result);
  }

  /** Same operation on the same operands (in either order when the operation commutes). */
  public boolean sameComputation(Equation other) {
    if (op != other.op) {
      return false;
    }
    return (left == other.left && right == other.right)
        || (op.commutative() && left == other.right && right == other.left);
  }

  /** {@code left op right}, as the testbed writes it. */
  public String computation() {
    return left + " " + op.symbol() + " " + right;
  }

  public String render() {
    return computation() + " = " + result;
  }
}
