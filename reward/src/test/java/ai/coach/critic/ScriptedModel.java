package ai.coach.critic;

import ai.coach.lm.LanguageModel;
import ai.coach.lm.SequenceState;
import ai.coach.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * A test double behind the engine's interface that writes scripted text. After the latest
 * trigger string in a sequence's text it puts a clear maximum on the next byte of that trigger's
 * continuation, and on the end token once the continuation is written; a shaper may then adjust
 * the logits (e.g. to give "No" some probability where "Yes" is written).
 */
final class ScriptedModel implements LanguageModel {

  static final float TARGET = 10f;

  /** After {@code trigger}, the model writes {@code continuation.apply(textSoFar)}. */
  record Rule(String trigger, Function<String, String> continuation) {
    static Rule of(String trigger, String text) {
      return new Rule(trigger, t -> text);
    }
  }

  /** Adjusts the logits at a position, knowing the text so far and the sequence's fork branch. */
  interface Shaper {
    void shape(String text, int branch, float[] logits);
  }

  private final Tokenizer tokenizer;
  private final List<Rule> rules;
  private final Shaper shaper;
  private final int maxPositions;
  final List<int[]> forkSources = Collections.synchronizedList(new ArrayList<>());
  volatile int appendCalls;
  volatile int largestBatch;
  int liveStates;

  ScriptedModel(Tokenizer tokenizer, List<Rule> rules, Shaper shaper, int maxPositions) {
    this.tokenizer = tokenizer;
    this.rules = rules;
    this.shaper = shaper;
    this.maxPositions = maxPositions;
  }

  final class State implements SequenceState {
    int[] tokens = new int[0];
    float[] logits;
    int branch;
    boolean closed;

    State() {
      liveStates++;
    }

    @Override
    public int[] tokens() {
      return tokens.clone();
    }

    @Override
    public int length() {
      return tokens.length;
    }

    @Override
    public float[] nextLogits() {
      return logits;
    }

    @Override
    public void close() {
      if (!closed) liveStates--;
      closed = true;
    }
  }

  @Override
  public int vocabSize() {
    return TestCheckpoints.VOCAB;
  }

  @Override
  public int maxPositions() {
    return maxPositions;
  }

  @Override
  public SequenceState newSequence() {
    return new State();
  }

  @Override
  public synchronized void append(List<? extends SequenceState> sequences, List<int[]> tokens) {
    appendCalls++;
    largestBatch = Math.max(largestBatch, sequences.size());
    for (int i = 0; i < sequences.size(); i++) {
      State s = (State) sequences.get(i);
      if (s.closed) throw new IllegalStateException("append to a closed sequence");
      for (int j = 0; j < i; j++) {
        if (sequences.get(j) == s) throw new IllegalStateException("one sequence twice in a batch");
      }
      int[] t = tokens.get(i);
      if (t.length == 0) throw new IllegalArgumentException("nothing to append");
      int[] joined = Arrays.copyOf(s.tokens, s.tokens.length + t.length);
      System.arraycopy(t, 0, joined, s.tokens.length, t.length);
      if (joined.length > maxPositions) throw new IllegalArgumentException("over max positions");
      s.tokens = joined;
      s.logits = logits(tokenizer.decode(joined), s.branch);
    }
  }

  private float[] logits(String text, int branch) {
    float[] out = new float[TestCheckpoints.VOCAB];
    Rule best = null;
    int bestEnd = -1;
    for (Rule r : rules) {
      int at = text.lastIndexOf(r.trigger());
      if (at >= 0 && at + r.trigger().length() > bestEnd) {
        bestEnd = at + r.trigger().length();
        best = r;
      }
    }
    int next = TestCheckpoints.IM_END;
    if (best != null) {
      String written = text.substring(bestEnd);
      String plan = best.continuation().apply(text.substring(0, bestEnd));
      if (plan.length() > written.length() && plan.startsWith(written)) {
        byte[] b = plan.substring(written.length(), written.length() + 1).getBytes(StandardCharsets.UTF_8);
        next = b[0] & 0xff;
      }
    }
    out[next] = TARGET;
    if (shaper != null) shaper.shape(text, branch, out);
    return out;
  }

  @Override
  public List<float[][]> appendAll(List<? extends SequenceState> sequences, List<int[]> tokens) {
    throw new UnsupportedOperationException("the critic never teacher-forces");
  }

  @Override
  public synchronized List<SequenceState> fork(SequenceState state, int n) {
    State source = (State) state;
    if (source.closed) throw new IllegalStateException("fork of a closed sequence");
    forkSources.add(source.tokens.clone());
    List<SequenceState> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      State s = new State();
      s.tokens = source.tokens.clone();
      s.logits = source.logits;
      // The source keeps branch 0, as the critic's first sample continues it.
      s.branch = i + 1;
      out.add(s);
    }
    return out;
  }

  @Override
  public void close() {}
}
