package ai.coach.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.critic.CodeExecutor;
import ai.coach.critic.Critic;
import ai.coach.critic.CriticConfig;
import ai.coach.critic.CriticMode;
import ai.coach.critic.CriticPrompts;
import ai.coach.critic.CriticStats;
import ai.coach.critic.CritiqueRequest;
import ai.coach.critic.CritiqueResult;
import ai.coach.critic.CritiqueResult.CodeRound;
import ai.coach.critic.CritiqueResult.SampleCritique;
import ai.coach.critic.SandboxCodeExecutor;
import ai.coach.lm.LanguageModel;
import ai.coach.lm.SequenceState;
import ai.coach.sandbox.CodeSandbox;
import ai.coach.sandbox.SandboxConfig;
import ai.coach.testbed.ArithmeticProblem;
import ai.coach.testbed.ErrorInjector;
import ai.coach.testbed.ErrorInjector.Labelled;
import ai.coach.testbed.Split;
import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.ChatTemplate.Message;
import ai.coach.tokenizer.Tokenizer;
import ai.coach.train.SftData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Critique conversations on the testbed's real tokenizer, checked against the critic itself. */
class CritiqueConversationTest {

  static final Path TOKENIZER = Path.of("../models/tokenizer-arith").toAbsolutePath().normalize();
  static final CriticPrompts P = CriticPrompts.genprm();
  static final String YES = "</verify>\n<output>\n**Judgement**: $\\boxed{Yes}$\n</output>\n";
  static final String NO = "</verify>\n<output>\n**Judgement**: $\\boxed{No}$\n</output>\n";
  static final long SEED = 5;

  static Tokenizer tok;
  static ChatTemplate template;
  static SandboxCodeExecutor sandbox;
  static CodeExecutor.Session session;
  static List<Labelled> items;
  static Map<String, ArithmeticProblem> gold;

  @BeforeAll
  static void open() {
    tok = Tokenizer.load(TOKENIZER);
    template = ChatTemplate.load(TOKENIZER);
    sandbox = new SandboxCodeExecutor(new CodeSandbox(SandboxConfig.DEFAULTS.withPool(4, 1)));
    session = sandbox.openSession();
    items = ErrorInjector.processBench(200, SEED, Split.TEST);
    gold = TeacherTest.goldProblems(items, SEED, Split.TEST);
  }

  @AfterAll
  static void close() {
    session.close();
    sandbox.close();
    tok.close();
  }

  /** The texts the model writes in one turn, in order. */
  static List<String> written(CriticMode mode, Rationale r) {
    String boxed = "{" + (r.correct() ? "Yes" : "No") + "}$\n</output>\n";
    return mode == CriticMode.FULL
        ? List.of(r.analysis() + "</analyze>\n", r.code() + "\n```\n", r.correct() ? YES : NO)
        : List.of(r.analysis() + "</analyze>\n", boxed);
  }

  /** The forced texts the pieces of {@link #written} follow. */
  static List<String> triggers(CriticMode mode, int paragraph, Rationale r) {
    return mode == CriticMode.FULL
        ? List.of(P.analyzePrefix(paragraph), P.verifyPrefix(), P.codeOutput(r.codeOutput()))
        : List.of(P.analyzePrefix(paragraph), P.outputPrefix());
  }

  static List<Rationale> rationales(Labelled l) {
    return Teacher.write(gold.get(l.item().id()), l.item().steps(), session);
  }

  @ParameterizedTest
  @EnumSource(value = CriticMode.class, names = {"FULL", "ANALYZE"})
  void lossMaskCoversExactlyTheModelWrittenText(CriticMode mode) {
    int longest = 0;
    for (Labelled l : items) {
      List<String> steps = l.item().steps();
      List<Rationale> rs = rationales(l);
      SftData.Example ex = CritiqueConversation.example(P, tok, template, mode, l.item().problem(), steps, rs);
      assertEquals(ex.ids().length, ex.lossMask().length);

      StringBuilder modelText = new StringBuilder();
      List<Message> messages = new ArrayList<>(List.of(Message.system(P.systemStepByStep()),
          Message.user(P.firstUserTurn(l.item().problem(), steps.get(0)))));
      for (int t = 0; t < rs.size(); t++) {
        written(mode, rs.get(t)).forEach(modelText::append);
        messages.add(Message.assistant(CritiqueConversation.turnText(P, mode, t + 1, rs.get(t))));
        if (t + 1 < steps.size()) messages.add(Message.user(steps.get(t + 1)));
      }
      int[] trained = masked(ex, 1);
      assertEquals(modelText.toString(), tok.decode(trained), l.item().id());
      // Every other token is the template's or forced protocol text: the whole is the conversation
      // up to the end of the last judgement, where the critic stops.
      String whole = tok.decode(ex.ids());
      assertTrue(whole.endsWith("{Yes}$\n</output>\n") || whole.endsWith("{No}$\n</output>\n"));
      assertEquals(mode == CriticMode.FULL, whole.contains("```python"), whole);
      assertTrue(template.render(messages, false).startsWith(whole));
      assertTrue(ex.lossMask()[ex.lossMask().length - 1] == 1 && ex.promptLength() > 0);
      longest = Math.max(longest, ex.ids().length);
    }
    // The tiny critic's context (configs/sft-genprm-tiny.yaml) holds the longest conversations.
    assertTrue(longest <= 1024, "longest conversation: " + longest + " tokens");
  }

  static int[] masked(SftData.Example ex, float weight) {
    return java.util.stream.IntStream.range(0, ex.ids().length).filter(i -> ex.lossMask()[i] == weight).map(i -> ex.ids()[i]).toArray();
  }

  @Test
  void anAnalysisThatDoesNotStartWithADigitIsRefused() {
    // The forced prefix ends with a space that a leading word would join in the template's
    // tokenization, so the critic could not continue its cache and would see other tokens.
    Labelled l = items.get(0);
    List<Rationale> rs = new ArrayList<>(rationales(l));
    Rationale r = rs.get(0);
    rs.set(0, new Rationale("Paragraph 1 is fine.\n", r.code(), r.codeOutput(), r.correct()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CritiqueConversation.example(P, tok, template, CriticMode.FULL, l.item().problem(), l.item().steps(), rs));
    assertTrue(e.getMessage().contains("after paragraph 1 the critic's tokens are not a prefix"), e.getMessage());
    assertTrue(e.getMessage().startsWith("problem '" + l.item().problem().substring(0, 20)), e.getMessage());
  }

  @Test
  void directModeHasNothingToTrainOn() {
    Labelled l = items.get(0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CritiqueConversation.example(
        P, tok, template, CriticMode.DIRECT, l.item().problem(), l.item().steps(), rationales(l)));
    assertEquals("direct mode writes no analysis to train on", e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(value = CriticMode.class, names = {"FULL", "ANALYZE"})
  void criticFeedsItsModelExactlyTheExampleTokens(CriticMode mode) {
    List<String> handMade = List.of(TeacherTest.TRIP.steps().get(0), "Step 2: Then take away the first day.",
        TeacherTest.TRIP.steps().get(2), "Step 4: Add one more: 516 + 1 = 517.");
    List<CritiqueRequest> requests = new ArrayList<>();
    List<List<Rationale>> expected = new ArrayList<>();
    requests.add(new CritiqueRequest("trip", TeacherTest.TRIP.problem(), handMade));
    expected.add(Teacher.write(TeacherTest.TRIP, handMade, session));
    Labelled longestGold = null;
    Labelled firstStepWrong = null;
    for (Labelled l : items) {
      int n = l.item().steps().size();
      if (l.item().label() < 0 && (longestGold == null || n > longestGold.item().steps().size())) longestGold = l;
      if (l.item().label() == 0 && n > 2 && firstStepWrong == null) firstStepWrong = l;
    }
    for (Labelled l : List.of(longestGold, firstStepWrong)) {
      requests.add(new CritiqueRequest(l.item().id(), l.item().problem(), l.item().steps()));
      expected.add(rationales(l));
    }

    for (int i = 0; i < requests.size(); i++) {
      CritiqueRequest req = requests.get(i);
      List<Rationale> rs = expected.get(i);
      SftData.Example ex = CritiqueConversation.example(P, tok, template, mode, req.problem(), req.steps(), rs);
      WritingModel model = new WritingModel(mode, rs);
      CritiqueResult result;
      CriticStats stats;
      try (Critic critic = new Critic(model, tok, template, Set.of(tok.singleTokenId("<|im_end|>")), sandbox, P,
          CriticConfig.DEFAULTS.withSamples(1).withMode(mode))) {
        result = critic.critique(List.of(req)).get(0);
        stats = critic.stats();
      }
      for (int t = 0; t < rs.size(); t++) {
        Rationale r = rs.get(t);
        SampleCritique s = result.steps().get(t).samples().get(0);
        assertEquals(CritiqueConversation.turnText(P, mode, t + 1, r), s.text(), req.id() + " paragraph " + (t + 1));
        assertEquals(mode == CriticMode.FULL ? List.of(new CodeRound(r.code(), r.codeOutput())) : List.of(), s.codeRounds());
        assertEquals(r.correct(), s.reward() > 0.5, req.id() + " paragraph " + (t + 1));
      }
      // Sample 0 carries the whole conversation: every turn's tokens were kept as the next turn's
      // history, and its last state plus the token it ended on is the example.
      assertEquals(rs.size() - 1, stats.turnsReused(), req.id());
      assertEquals(0, stats.turnsRecomputed(), req.id());
      assertArrayEquals(ex.ids(), model.longestWritten(), req.id());
    }
  }

  /**
   * A stand-in for a trained critic: after each forced text of a turn (analysis prefix, verify
   * prefix, code output; in analyze mode the output prefix) it puts its weight on the next token
   * of the piece the rationale has the model write there, the piece tokenized on its own; anywhere
   * else it ends the call.
   */
  static final class WritingModel implements LanguageModel {
    static final int VOCAB = 1024;
    final CriticMode mode;
    final List<Rationale> rationales;
    final int end = tok.singleTokenId("<|im_end|>");
    /** Each closed sequence's tokens followed by the token it would write next. */
    final List<int[]> closed = new ArrayList<>();

    WritingModel(CriticMode mode, List<Rationale> rationales) {
      this.mode = mode;
      this.rationales = rationales;
    }

    int[] longestWritten() {
      return closed.stream().max((a, b) -> Integer.compare(a.length, b.length)).orElseThrow();
    }

    final class State implements SequenceState {
      int[] tokens = new int[0];
      float[] logits;

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
        int[] out = Arrays.copyOf(tokens, tokens.length + 1);
        out[tokens.length] = next(tokens);
        closed.add(out);
      }
    }

    @Override
    public int vocabSize() {
      return VOCAB;
    }

    @Override
    public int maxPositions() {
      return 4096;
    }

    @Override
    public SequenceState newSequence() {
      return new State();
    }

    @Override
    public void append(List<? extends SequenceState> sequences, List<int[]> tokens) {
      for (int i = 0; i < sequences.size(); i++) {
        State s = (State) sequences.get(i);
        int[] t = tokens.get(i);
        s.tokens = Arrays.copyOf(s.tokens, s.tokens.length + t.length);
        System.arraycopy(t, 0, s.tokens, s.tokens.length - t.length, t.length);
        s.logits = new float[VOCAB];
        s.logits[next(s.tokens)] = 10f;
      }
    }

    /** The token this model writes after {@code tokens}. */
    int next(int[] tokens) {
      String text = tok.decode(tokens);
      int turn = -1;
      int turnStart = -1;
      for (int t = 0; t < rationales.size(); t++) {
        int at = text.lastIndexOf(P.analyzePrefix(t + 1));
        if (at > turnStart) {
          turn = t;
          turnStart = at;
        }
      }
      if (turn < 0) return end;
      Rationale r = rationales.get(turn);
      List<String> pieces = written(mode, r);
      List<String> triggers = triggers(mode, turn + 1, r);
      for (int p = 0; p < pieces.size(); p++) {
        int[] plan = tok.encode(pieces.get(p));
        // The longest start of the piece that the sequence ends with, right after the trigger.
        for (int k = Math.min(plan.length - 1, tokens.length); k >= 0; k--) {
          if (!Arrays.equals(tokens, tokens.length - k, tokens.length, plan, 0, k)) continue;
          String before = tok.decode(tokens, 0, tokens.length - k);
          if (before.endsWith(triggers.get(p)) && before.length() > turnStart) return plan[k];
        }
      }
      return end;
    }

    @Override
    public List<float[][]> appendAll(List<? extends SequenceState> sequences, List<int[]> tokens) {
      throw new UnsupportedOperationException("the critic never teacher-forces");
    }

    @Override
    public List<SequenceState> fork(SequenceState state, int n) {
      throw new UnsupportedOperationException("one sample per step: nothing to fork");
    }

    @Override
    public void close() {}
  }
}
