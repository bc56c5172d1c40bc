package ai.coach.synth;

import ai.coach.critic.CriticMode;
import ai.coach.critic.CriticPrompts;
import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.ChatTemplate.Message;
import ai.coach.tokenizer.Tokenizer;
import ai.coach.train.SftData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The SFT example of one solution's full critique, built from exactly the tokens the critic
 * (full mode, {@code CritiqueBatch}) feeds its model and has it write, so training and inference
 * cannot drift apart.
 *
 * <p>Per step in full mode: the chat template's tokens up to the generation prompt; the forced
 * analysis prefix, tokenized on its own; the analysis and {@code </analyze>\n}; the forced verify
 * prefix; the code and its closing fence; the forced code output; then {@code </verify>} and the
 * judgement up to {@code </output>\n}, where the critic stops. Analyze mode, the ablation without
 * code, has the analysis, then the forced output prefix and the judgement: a critic trained on it
 * is what analyze mode should be measured with, since one trained on full mode was never taught
 * to judge without its code. Only the model-written pieces carry loss. Each
 * piece is tokenized on its own: forced text is how the critic feeds it, and a model-written piece
 * tokenized alone is what a model trained on it writes.
 *
 * <p>Between steps the critic renders the whole conversation, with the turn's text as the
 * assistant message, and continues its cached tokens only when they are a prefix of the template's
 * tokens (otherwise it re-prefills the history as the template tokenizes it, and the model would
 * see other tokens than it was trained on). The same check here refuses such an example.
 */
public final class CritiqueConversation {

  /** What ends the code: the verify stop the critic runs the code block at. */
  static final String CODE_FENCE = "\n```\n";
  /** What the model writes between the code output and the judgement, as GenPRM's critiques do. */
  static final String VERIFY_CLOSE = "</verify>\n";

  private CritiqueConversation() {}

  /**
   * @param mode {@link CriticMode#FULL} or {@link CriticMode#ANALYZE}
   * @param problem the problem text as the critic's request holds it
   * @param steps the solution's steps; {@code rationales} has one per step
   * @throws IllegalArgumentException when the critic would not reuse its tokens across a turn, or
   *     a model-written piece would hit a stop string before its end
   */
  public static SftData.Example example(CriticPrompts prompts, Tokenizer tokenizer, ChatTemplate template,
      CriticMode mode, String problem, List<String> steps, List<Rationale> rationales) {
    if (mode == CriticMode.DIRECT) throw new IllegalArgumentException("direct mode writes no analysis to train on");
    if (steps.isEmpty() || steps.size() != rationales.size()) {
      throw new IllegalArgumentException(name(problem) + ": " + steps.size() + " steps but " + rationales.size() + " rationales");
    }
    List<String> verifyStops = prompts.verifyStops();
    if (!verifyStops.contains(CODE_FENCE)) {
      throw new IllegalArgumentException("critic prompts: 'verify_stops' lacks the code fence, so the critic would never run the code");
    }
    Tokens out = new Tokens(tokenizer);
    List<Message> messages = new ArrayList<>();
    messages.add(Message.system(prompts.systemStepByStep()));
    messages.add(Message.user(prompts.firstUserTurn(problem, steps.get(0))));
    for (int t = 0; t < steps.size(); t++) {
      int paragraph = t + 1;
      Rationale r = rationales.get(t);
      out.continueWith(tokenizer.encode(template.render(messages, true)), problem, t);
      out.forced(prompts.analyzePrefix(paragraph));
      out.written(endsAtStop(r.analysis() + prompts.analyzeStop(), List.of(prompts.analyzeStop()), problem, paragraph));
      if (mode == CriticMode.FULL) {
        out.forced(prompts.verifyPrefix());
        out.written(endsAtStop(r.code() + CODE_FENCE, verifyStops, problem, paragraph));
        out.forced(prompts.codeOutput(r.codeOutput()));
        out.written(endsAtStop(VERIFY_CLOSE + prompts.outputPrefix() + boxed(prompts, r.correct()), verifyStops, problem, paragraph));
      } else {
        out.forced(prompts.outputPrefix());
        out.written(endsAtStop(boxed(prompts, r.correct()), List.of(prompts.outputStop()), problem, paragraph));
      }
      messages.add(Message.assistant(turnText(prompts, mode, paragraph, r)));
      if (paragraph < steps.size()) messages.add(Message.user(steps.get(paragraph)));
    }
    // The last turn is never history, but a template that re-tokenizes it differently would be
    // the same inconsistency.
    out.requirePrefixOf(tokenizer.encode(template.render(messages, false)), problem, steps.size());
    return out.example();
  }

  /**
   * The whole assistant turn of paragraph {@code step} (1-based), forced text included: the
   * history text the critic keeps for it.
   */
  public static String turnText(CriticPrompts prompts, CriticMode mode, int step, Rationale r) {
    String analysis = prompts.analyzePrefix(step) + r.analysis() + prompts.analyzeStop();
    String verification = mode == CriticMode.FULL
        ? prompts.verifyPrefix() + r.code() + CODE_FENCE + prompts.codeOutput(r.codeOutput()) + VERIFY_CLOSE
        : "";
    return analysis + verification + prompts.outputPrefix() + boxed(prompts, r.correct());
  }

  /** The judgement after the output prefix, up to the end of the output. */
  private static String boxed(CriticPrompts prompts, boolean correct) {
    return "{" + (correct ? prompts.yesWord() : prompts.noWord()) + "}$\n" + prompts.outputStop();
  }

  /** {@code text}, checked to reach its first stop string exactly at its end, as the critic cuts it. */
  private static String endsAtStop(String text, List<String> stops, String problem, int paragraph) {
    int end = Integer.MAX_VALUE;
    for (String stop : stops) {
      int at = text.indexOf(stop);
      if (at >= 0) end = Math.min(end, at + stop.length());
    }
    if (end != text.length()) {
      throw new IllegalArgumentException(name(problem) + ", paragraph " + paragraph
          + ": the critic would not stop exactly at the end of " + text.replace("\n", "\\n"));
    }
    return text;
  }

  private static String name(String problem) {
    return "problem '" + (problem.length() > 60 ? problem.substring(0, 60) + "..." : problem) + "'";
  }

  /** The example's tokens and loss mask so far. */
  private static final class Tokens {
    private final Tokenizer tokenizer;
    private int[] ids = new int[0];
    private float[] mask = new float[0];

    Tokens(Tokenizer tokenizer) {
      this.tokenizer = tokenizer;
    }

    /**
     * Appends the rest of the template's tokens of the conversation up to the next generation
     * prompt, which must extend the tokens of the first {@code paragraphs} turns.
     */
    void continueWith(int[] canonical, String problem, int paragraphs) {
      requirePrefixOf(canonical, problem, paragraphs);
      add(Arrays.copyOfRange(canonical, ids.length, canonical.length), 0);
    }

    /** The critic's check before it reuses a turn's tokens: the template's tokens must extend them. */
    void requirePrefixOf(int[] canonical, String problem, int paragraphs) {
      if (canonical.length <= ids.length || !Arrays.equals(canonical, 0, ids.length, ids, 0, ids.length)) {
        throw new IllegalArgumentException(name(problem) + ": after paragraph " + paragraphs
            + " the critic's tokens are not a prefix of the chat template's tokens of the conversation, so the critic"
            + " re-prefills the history and the example cannot match what it sees");
      }
    }

    void forced(String text) {
      add(tokenizer.encode(text), 0);
    }

    void written(String text) {
      add(tokenizer.encode(text), 1);
    }

    private void add(int[] more, float weight) {
      int from = ids.length;
      ids = Arrays.copyOf(ids, from + more.length);
      System.arraycopy(more, 0, ids, from, more.length);
      mask = Arrays.copyOf(mask, from + more.length);
      Arrays.fill(mask, from, mask.length, weight);
    }

    SftData.Example example() {
      return new SftData.Example(ids, mask);
    }
  }
}
