package ai.coach.critic;

import ai.coach.lm.TokenLogprob;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reward of one critique: P(Yes) / (P(Yes) + P(No)) at the token where the boxed judgement
 * is decided, from that position's top log-probs. A word missing from the top list gets the
 * smallest probability in the list (it is at most that likely); without a judgement the reward
 * is 0.5, as GenPRM scores it.
 */
final class Judgement {

  static final double UNDECIDED = 0.5;

  private static final Pattern DECISION = Pattern.compile("(Yes|No)\\}", Pattern.CASE_INSENSITIVE);

  /** Text of a prefix of the generated tokens, as the tokenizer decodes it. */
  interface PrefixText {
    String decode(int[] ids, int to);
  }

  private final int yesId;
  private final int noId;
  private final PrefixText text;

  /**
   * @param yesId first token of the word "Yes" (the whole word in Qwen-family vocabularies)
   * @param noId first token of "No"
   */
  Judgement(int yesId, int noId, PrefixText text) {
    this.yesId = yesId;
    this.noId = noId;
    this.text = text;
  }

  /**
   * @param generated the text of the generation call that wrote the judgement
   * @param tokens that call's tokens with their top log-probs
   */
  double reward(String generated, List<TokenLogprob> tokens) {
    Matcher m = DECISION.matcher(generated);
    if (!m.find() || tokens.isEmpty()) return UNDECIDED;
    int position = tokenAt(tokens, m.start());
    if (position < 0) return UNDECIDED;
    return reward(tokens.get(position));
  }

  /** P(Yes) / (P(Yes) + P(No)) from one position's top alternatives. */
  double reward(TokenLogprob at) {
    if (at.top().isEmpty()) return UNDECIDED;
    double floor = Double.POSITIVE_INFINITY;
    for (TokenLogprob.Alternative a : at.top()) floor = Math.min(floor, a.logprob());
    Float yes = at.logprobOf(yesId);
    Float no = at.logprobOf(noId);
    double pYes = Math.exp(yes != null ? yes : floor);
    double pNo = Math.exp(no != null ? no : floor);
    double sum = pYes + pNo;
    return sum == 0 ? UNDECIDED : pYes / sum;
  }

  /** Index of the token whose decoded text covers character {@code charIndex}, or -1. */
  private int tokenAt(List<TokenLogprob> tokens, int charIndex) {
    int[] ids = new int[tokens.size()];
    for (int i = 0; i < ids.length; i++) ids[i] = tokens.get(i).token();
    // Decoded prefixes only grow, so the first prefix longer than charIndex ends with that token.
    int lo = 1;
    int hi = ids.length;
    if (text.decode(ids, hi).length() <= charIndex) return -1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (text.decode(ids, mid).length() > charIndex) hi = mid;
      else lo = mid + 1;
    }
    return lo - 1;
  }
}
