package ai.coach.critic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.coach.lm.TokenLogprob;
import ai.coach.lm.TokenLogprob.Alternative;
import java.util.List;
import org.junit.jupiter.api.Test;

class JudgementTest {

  static final int YES = 1;
  static final int NO = 2;
  /** Each token decodes to one character of this string. */
  static final String CHARS = "?YN{}$xyz";
  static final Judgement J = new Judgement(YES, NO, (ids, to) -> {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < to; i++) b.append(CHARS.charAt(ids[i]));
    return b.toString();
  });

  static TokenLogprob at(int token, Alternative... top) {
    return new TokenLogprob(token, top[0].logprob(), List.of(top));
  }

  @Test
  void bothWordsInTheTopList() {
    double r = J.reward(at(YES, new Alternative(YES, -0.2f), new Alternative(NO, -1.9f), new Alternative(7, -4f)));
    assertEquals(Math.exp(-0.2) / (Math.exp(-0.2) + Math.exp(-1.9)), r, 1e-6);
  }

  @Test
  void aMissingWordTakesTheSmallestTopProbability() {
    double r = J.reward(at(NO, new Alternative(NO, -0.1f), new Alternative(7, -3f), new Alternative(8, -5.5f)));
    assertEquals(Math.exp(-5.5) / (Math.exp(-5.5) + Math.exp(-0.1)), r, 1e-6);
  }

  @Test
  void theDecidingPositionIsTheTokenThatStartsTheWord() {
    // "{Y}$": the reward is read where "Y" was written, not at the other positions.
    List<TokenLogprob> call = List.of(
        at(3, new Alternative(3, -0.01f), new Alternative(YES, -9f)),
        at(YES, new Alternative(YES, -0.5f), new Alternative(NO, -1.0f)),
        at(4, new Alternative(4, -0.01f), new Alternative(NO, -2f)),
        at(5, new Alternative(5, -0.01f)));
    double expected = Math.exp(-0.5) / (Math.exp(-0.5) + Math.exp(-1.0));
    assertEquals(expected, new Judgement(YES, NO, (ids, to) -> decodeWord(ids, to)).reward("{Yes}$", call), 1e-6);
  }

  /** Token 1 decodes to "Yes", the rest to one character each. */
  private static String decodeWord(int[] ids, int to) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < to; i++) b.append(ids[i] == YES ? "Yes" : String.valueOf(CHARS.charAt(ids[i])));
    return b.toString();
  }

  @Test
  void noBoxedJudgementScoresOneHalf() {
    List<TokenLogprob> call = List.of(at(6, new Alternative(6, -0.1f), new Alternative(YES, -3f)));
    assertEquals(0.5, J.reward("x", call));
    assertEquals(0.5, J.reward("", List.of()));
  }
}
