package ai.coach.testbed;

import java.util.OptionalLong;

/** The four operations of the arithmetic testbed, written with the symbols a schoolbook uses. */
public enum Op {
  ADD("+", "+"),
  SUBTRACT("−", "-"),
  MULTIPLY("×", "*"),
  DIVIDE("÷", "//");

  private final String symbol;
  private final String python;

  Op(String symbol, String python) {
    this.symbol = symbol;
    this.python = python;
  }

  /** The symbol gold solutions use. */
  public String symbol() {
    return symbol;
  }

  /** The operator a Python check would use for the same computation. */
  public String python() {
    return python;
  }

  /**
   * The exact result, or empty when it is not a whole number or would overflow: the testbed only
   * poses problems whose every intermediate value is an integer.
   */
  public OptionalLong apply(long left, long right) {
    try {
      return switch (this) {
        case ADD -> OptionalLong.of(Math.addExact(left, right));
        case SUBTRACT -> OptionalLong.of(Math.subtractExact(left, right));
        case MULTIPLY -> OptionalLong.of(Math.multiplyExact(left, right));
        case DIVIDE -> right != 0 && left % right == 0 ? OptionalLong.of(left / right) : OptionalLong.empty();
      };
    } catch (ArithmeticException overflow) {
      return OptionalLong.empty();
    }
  }

  /** Whether swapping the operands gives the same equation, so a checker accepts either order. */
  public boolean commutative() {
    return this == ADD || this == MULTIPLY;
  }

  /**
   * Reads an operator as gold solutions or a model might write it. ASCII forms are accepted
   * because a policy that writes {@code 37 * 48} has not made an arithmetic error.
   */
  public static Op ofSymbol(String s) {
    return switch (s) {
      case "+" -> ADD;
      case "−", "-", "–" -> SUBTRACT;
      case "×", "*", "x" -> MULTIPLY;
      case "÷", "/" -> DIVIDE;
      default -> throw new IllegalArgumentException("not an arithmetic operator: '" + s + "'");
    };
  }
}
