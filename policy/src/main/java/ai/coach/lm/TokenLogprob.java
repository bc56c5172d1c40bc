package ai.coach.lm;

import java.util.List;

/** A generated token, its log-probability, and the most likely alternatives at its position. */
public record TokenLogprob(int token, float logprob, List<Alternative> top) {

  /** One candidate token at a position. */
  public record Alternative(int token, float logprob) {}

  /** Log-prob of {@code token} among the reported alternatives, or null if it is not among them. */
  public Float logprobOf(int token) {
    for (Alternative a : top) {
      if (a.token() == token) return a.logprob();
    }
    return null;
  }
}
