package ai.coach.testbed;

/** The mistakes the injector makes, grouped by what a checker sees wrong in the step. */
public enum ErrorKind {
  /** One digit of the result off by one. */
  DIGIT_SLIP(Category.ARITHMETIC),
  /** Two neighbouring digits of the result swapped. */
  TRANSPOSED_DIGITS(Category.ARITHMETIC),
  /** A carry (or borrow) dropped or added: the result off by a power of ten. */
  CARRY_SLIP(Category.ARITHMETIC),
  /** Another number of the problem used in place of the right one, then computed correctly. */
  WRONG_OPERAND(Category.OPERAND),
  /** The right number copied with a digit changed or two digits swapped, then computed correctly. */
  MISCOPIED_OPERAND(Category.OPERAND),
  /** Another operation than the problem calls for, computed correctly. */
  WRONG_OPERATION(Category.OPERATION);

  /** What is wrong in the erroneous step. */
  public enum Category {
    ARITHMETIC,
    OPERAND,
    OPERATION
  }

  private final Category category;

  ErrorKind(Category category) {
    this.category = category;
  }

  public Category category() {
    return category;
  }
}
