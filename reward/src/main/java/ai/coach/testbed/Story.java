package ai.coach.testbed;

import java.util.List;

/**
 * A surface template: a setting (shopping, travel, ...) whose sentences pose one operation each.
 * Moves are linked by the quantity they act on ({@code from}/{@code to}, e.g. a whole bill and
 * each friend's share of it) so that any chain the generator walks still reads as one story.
 *
 * <p>Placeholders: {@code {name}}, {@code {item}}, {@code {a}} and {@code {b}} (the two numbers of
 * the opening), {@code {x}} (a move's number) and {@code {eq}} (the step's equation).
 */
record Story(String key, List<String> items, List<Opening> openings, List<Move> moves) {

  /** The first step: two numbers from the problem combined. */
  record Opening(
      String key,
      Op op,
      int aMin,
      int aMax,
      int bMin,
      int bMax,
      String to,
      String sentence,
      String step,
      String question) {}

  /**
   * A later step: the previous result combined with one new number from the problem. A move that
   * takes {@code x} of the parts the last division made ({@code takesParts}, e.g. "a truck takes
   * {x} of the boxes") gets {@code x} no larger than the number of parts.
   */
  record Move(
      String key,
      String from,
      Op op,
      int min,
      int max,
      boolean takesParts,
      String to,
      String sentence,
      String step,
      String question) {}
}
