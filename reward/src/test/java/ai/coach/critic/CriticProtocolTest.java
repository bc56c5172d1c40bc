package ai.coach.critic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.critic.CritiqueResult.CodeRound;
import ai.coach.critic.CritiqueResult.SampleCritique;
import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.ChatTemplate.Message;
import ai.coach.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GenPRM protocol, checked text for text against a scripted model and a scripted sandbox. */
class CriticProtocolTest {

  @TempDir static Path dir;
  static Tokenizer bytes;
  static Tokenizer merging;
  static ChatTemplate template;
  static final CriticPrompts P = CriticPrompts.genprm();

  static final String JUDGE = "</verify>\n<output>\n**Judgement**: $\\boxed";
  static final String YES = "{Yes}$\n</output>\n";
  static final String NO = "{No}$\n</output>\n";

  @BeforeAll
  static void tokenizers() throws IOException {
    TestCheckpoints.writeTokenizer(dir.resolve("bytes"), false);
    TestCheckpoints.writeTokenizer(dir.resolve("merging"), true);
    bytes = Tokenizer.load(dir.resolve("bytes"));
    merging = Tokenizer.load(dir.resolve("merging"));
    template = ChatTemplate.load(dir.resolve("bytes"));
  }

  @AfterAll
  static void close() {
    bytes.close();
    merging.close();
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  static int paragraph(String text) {
    int at = text.lastIndexOf("Paragraph ");
    return text.charAt(at + "Paragraph ".length()) - '0';
  }

  /**
   * At the judgement word the other word gets a logit 3 (branch 0) or 4 (branch 1) below the
   * written one: far enough that sampling at temperature 0.6 with top-p 0.95 never picks it.
   */
  static final ScriptedModel.Shaper RIVAL = (text, branch, logits) -> {
    if (!text.endsWith("\\boxed{")) return;
    float rival = ScriptedModel.TARGET - (branch == 0 ? 3 : 4);
    if (logits['Y'] == ScriptedModel.TARGET) logits['N'] = rival;
    else logits['Y'] = rival;
  };

  static List<ScriptedModel.Rule> twoStepRules(String firstAnalysis) {
    return List.of(
        ScriptedModel.Rule.of("Paragraph 1 step by step: ", firstAnalysis),
        ScriptedModel.Rule.of("Paragraph 2 step by step: ", "Doubling 5 gives 10, not 11.\n</analyze>\n"),
        new ScriptedModel.Rule("```python\n", t -> paragraph(t) == 1 ? "a = 2 + 3\nprint(a)\n```\n" : "print(a * 2)\n```\n"),
        ScriptedModel.Rule.of("\n5\n```\n", JUDGE),
        ScriptedModel.Rule.of("\n10\n```\n", JUDGE),
        new ScriptedModel.Rule("$\\boxed", t -> paragraph(t) == 1 ? YES : NO));
  }

  static final Function<String, String> ARITHMETIC = code -> switch (code) {
    case "a = 2 + 3\nprint(a)" -> "5";
    case "print(a * 2)" -> "10";
    default -> "unexpected code: " + code;
  };

  static CriticConfig config(CriticMode mode, int samples) {
    return CriticConfig.DEFAULTS.withMode(mode).withSamples(samples);
  }

  static Critic critic(ScriptedModel model, Tokenizer tok, CodeExecutor exec, CriticConfig config) {
    return new Critic(model, tok, template, Set.of(TestCheckpoints.IM_END), exec, P, config);
  }

  static final CritiqueRequest DOUBLING = new CritiqueRequest("d1", "What is 2+3, doubled?", List.of("2+3=5", "5*2=11"));

  /** Token ids of the prompt of each step, as the chat template renders the whole conversation. */
  static List<int[]> canonicalPrompts(Tokenizer tok, String system, CritiqueRequest r, List<String> history) {
    List<Message> m = new ArrayList<>(List.of(Message.system(system), Message.user(r.problem() + "\n" + r.steps().get(0))));
    List<int[]> out = new ArrayList<>();
    out.add(tok.encode(template.render(m, true)));
    for (int t = 1; t < r.steps().size(); t++) {
      m.add(Message.assistant(history.get(t - 1)));
      m.add(Message.user(r.steps().get(t)));
      out.add(tok.encode(template.render(m, true)));
    }
    return out;
  }

  static String turn(int step, String analysis, String code, String output, String judgement) {
    return P.analyzePrefix(step) + analysis + P.verifyPrefix() + code + P.codeOutput(output) + judgement;
  }

  @Test
  void fullProtocolWritesTheExactTurnsAndAveragesTheSamples() {
    ScriptedModel model = new ScriptedModel(bytes, twoStepRules("The sum is right.\n</analyze>\n"), RIVAL, 4096);
    ScriptedExecutor exec = new ScriptedExecutor(ARITHMETIC);
    CritiqueResult r;
    CriticStats stats;
    try (Critic critic = critic(model, bytes, exec, config(CriticMode.FULL, 2))) {
      r = critic.critique(List.of(DOUBLING)).get(0);
      stats = critic.stats();
    }
    String turn1 = turn(1, "The sum is right.\n</analyze>\n", "a = 2 + 3\nprint(a)\n```\n", "5", JUDGE + YES);
    String turn2 = turn(2, "Doubling 5 gives 10, not 11.\n</analyze>\n", "print(a * 2)\n```\n", "10", JUDGE + NO);
    for (int k = 0; k < 2; k++) {
      SampleCritique s1 = r.steps().get(0).samples().get(k);
      assertEquals(turn1, s1.text());
      assertEquals("The sum is right.\n", s1.analysis());
      assertEquals(List.of(new CodeRound("a = 2 + 3\nprint(a)", "5")), s1.codeRounds());
      assertEquals(JUDGE + YES, s1.judgement());
      assertFalse(s1.fellBack());
      assertEquals(bytes.encode(turn1).length, s1.tokens());
      assertEquals(turn2, r.steps().get(1).samples().get(k).text());
    }
    assertEquals(sigmoid(3), r.steps().get(0).samples().get(0).reward(), 1e-5);
    assertEquals(sigmoid(4), r.steps().get(0).samples().get(1).reward(), 1e-5);
    assertEquals((sigmoid(3) + sigmoid(4)) / 2, r.stepRewards().get(0), 1e-5);
    assertEquals((sigmoid(-3) + sigmoid(-4)) / 2, r.stepRewards().get(1), 1e-5);
    assertEquals(1, r.firstErrorStep());
    assertEquals("Doubling 5 gives 10, not 11.\n", r.feedback().analysis());

    // One sandbox session for the solution, its snippets in order, closed at the end.
    assertEquals(1, exec.sessions.size());
    assertEquals(List.of("a = 2 + 3\nprint(a)", "a = 2 + 3\nprint(a)", "print(a * 2)", "print(a * 2)"), exec.sessions.get(0).ran);
    assertTrue(exec.sessions.get(0).closed);

    // Each step's samples start from a state holding exactly the template's tokens of the conversation.
    List<int[]> expected = canonicalPrompts(bytes, P.systemStepByStep(), DOUBLING, List.of(turn1));
    List<int[]> forked = model.forkSources;
    assertEquals(expected.size(), forked.size());
    for (int i = 0; i < expected.size(); i++) assertEquals(List.of(box(expected.get(i))), List.of(box(forked.get(i))));
    assertEquals(1, stats.turnsReused());
    assertEquals(0, stats.turnsRecomputed());
    assertEquals(2, stats.steps());
    assertEquals(4, stats.codeRuns());
    assertTrue(model.largestBatch >= 2, "samples decode in one batch");
    assertEquals(0, model.liveStates, "every sequence is closed");
  }

  static List<Integer> box(int[] a) {
    List<Integer> out = new ArrayList<>();
    for (int x : a) out.add(x);
    return out;
  }

  @Test
  void turnWhoseSampledTokensAreNotCanonicalIsReprefilledToTheTemplatesTokens() {
    // With a "\n\n" merge, the two line-break tokens the model writes are not how the template's
    // text tokenizes, so the next step must not continue that KV cache as it is.
    String analysis = "The sum is right.\n\nNothing else.\n</analyze>\n";
    ScriptedModel model = new ScriptedModel(merging, twoStepRules(analysis), RIVAL, 4096);
    CriticStats stats;
    CritiqueResult r;
    try (Critic critic = critic(model, merging, new ScriptedExecutor(ARITHMETIC), config(CriticMode.FULL, 2))) {
      r = critic.critique(List.of(DOUBLING)).get(0);
      stats = critic.stats();
    }
    String turn1 = turn(1, analysis, "a = 2 + 3\nprint(a)\n```\n", "5", JUDGE + YES);
    assertEquals(turn1, r.steps().get(0).samples().get(0).text());
    List<int[]> expected = canonicalPrompts(merging, P.systemStepByStep(), DOUBLING, List.of(turn1));
    List<int[]> forked = model.forkSources;
    for (int i = 0; i < expected.size(); i++) assertEquals(box(expected.get(i)), box(forked.get(i)));
    assertEquals(0, stats.turnsReused());
    assertEquals(1, stats.turnsRecomputed());
    assertEquals(0, model.liveStates);
  }

  static final CritiqueRequest ONE = new CritiqueRequest("o1", "Compute 7.", List.of("It is 7."));

  @Test
  void codeRoundsAreCappedAtThreeThenTheJudgementComesFromTheAnalysis() {
    List<ScriptedModel.Rule> rules = List.of(
        ScriptedModel.Rule.of("step by step: ", "Fine.\n</analyze>\n"),
        ScriptedModel.Rule.of("```python\n", "print(7)\n```\n"),
        ScriptedModel.Rule.of("\n7\n```\n", "Once more.\n```python\n"),
        ScriptedModel.Rule.of("$\\boxed", NO));
    ScriptedModel model = new ScriptedModel(bytes, rules, null, 4096);
    ScriptedExecutor exec = new ScriptedExecutor(code -> code.equals("print(7)") ? "7" : "unexpected");
    SampleCritique s;
    try (Critic critic = critic(model, bytes, exec, config(CriticMode.FULL, 1))) {
      s = critic.critique(List.of(ONE)).get(0).steps().get(0).samples().get(0);
    }
    assertEquals(List.of("print(7)", "print(7)", "print(7)"), exec.sessions.get(0).ran);
    assertEquals(3, s.codeRounds().size());
    assertTrue(s.fellBack());
    assertEquals(P.analyzePrefix(1) + "Fine.\n</analyze>\n" + P.outputPrefix() + NO, s.text());
    // "Yes" is not among the top 20 here: it gets the smallest top-20 probability (logit 0).
    assertEquals(1 / (1 + Math.exp(ScriptedModel.TARGET)), s.reward(), 1e-9);
    assertEquals(0, model.liveStates);
  }

  static List<ScriptedModel.Rule> oneStepRules(String judgement) {
    return List.of(
        ScriptedModel.Rule.of("step by step: ", "Fine.\n</analyze>\n"),
        ScriptedModel.Rule.of("```python\n", "print(7)\n```\n"),
        ScriptedModel.Rule.of("\n7\n```\n", JUDGE),
        ScriptedModel.Rule.of("$\\boxed", judgement));
  }

  @Test
  void budgetTooSmallForVerificationJudgesStraightFromTheAnalysis() {
    int budget = bytes.encode(P.analyzePrefix(1) + "Fine.\n</analyze>\n" + P.verifyPrefix()).length;
    ScriptedModel model = new ScriptedModel(bytes, oneStepRules(YES), null, 4096);
    ScriptedExecutor exec = new ScriptedExecutor(code -> "7");
    SampleCritique s;
    try (Critic critic = critic(model, bytes, exec, config(CriticMode.FULL, 1).withStepTokenBudget(budget))) {
      s = critic.critique(List.of(ONE)).get(0).steps().get(0).samples().get(0);
    }
    assertTrue(s.fellBack());
    assertTrue(exec.sessions.isEmpty(), "no code ran");
    assertEquals(P.analyzePrefix(1) + "Fine.\n</analyze>\n" + P.outputPrefix() + YES, s.text());
    assertEquals(1 - 1 / (1 + Math.exp(ScriptedModel.TARGET)), s.reward(), 1e-9);
  }

  @Test
  void budgetRunningOutAtTheCodeOutputDropsTheVerification() {
    // Room for the code, but not for the code output after it.
    int budget = bytes.encode(P.analyzePrefix(1) + "Fine.\n</analyze>\n" + P.verifyPrefix() + "print(7)\n```\n").length + 5;
    ScriptedModel model = new ScriptedModel(bytes, oneStepRules(YES), null, 4096);
    ScriptedExecutor exec = new ScriptedExecutor(code -> "7");
    SampleCritique s;
    try (Critic critic = critic(model, bytes, exec, config(CriticMode.FULL, 1).withStepTokenBudget(budget))) {
      s = critic.critique(List.of(ONE)).get(0).steps().get(0).samples().get(0);
    }
    assertEquals(List.of(new CodeRound("print(7)", "7")), s.codeRounds());
    assertTrue(s.fellBack());
    assertEquals(P.analyzePrefix(1) + "Fine.\n</analyze>\n" + P.outputPrefix() + YES, s.text());
    assertEquals(0, model.liveStates);
  }

  @Test
  void fallbackJudgementStopsAfterTwentyTokensAndWithoutABoxScoresOneHalf() {
    int budget = bytes.encode(P.analyzePrefix(1) + "Fine.\n</analyze>\n").length;
    String rambling = "{it depends on many things, really}";
    ScriptedModel model = new ScriptedModel(bytes, oneStepRules(rambling), null, 4096);
    SampleCritique s;
    try (Critic critic = critic(model, bytes, new ScriptedExecutor(code -> "7"), config(CriticMode.FULL, 1).withStepTokenBudget(budget))) {
      s = critic.critique(List.of(ONE)).get(0).steps().get(0).samples().get(0);
    }
    assertEquals(rambling.substring(0, 20), s.judgement());
    assertEquals(0.5, s.reward());
  }

  @Test
  void analyzeModeSkipsCodeAndDirectModeJudgesAtOnce() {
    ScriptedModel model = new ScriptedModel(bytes, oneStepRules(YES), null, 4096);
    SampleCritique analyzed;
    try (Critic critic = critic(model, bytes, null, config(CriticMode.ANALYZE, 1))) {
      analyzed = critic.critique(List.of(ONE)).get(0).steps().get(0).samples().get(0);
    }
    assertEquals(P.analyzePrefix(1) + "Fine.\n</analyze>\n" + P.outputPrefix() + YES, analyzed.text());
    assertFalse(analyzed.fellBack());

    ScriptedModel direct = new ScriptedModel(bytes, oneStepRules(NO), null, 4096);
    CritiqueResult r;
    try (Critic critic = critic(direct, bytes, null, config(CriticMode.DIRECT, 2))) {
      r = critic.critique(List.of(ONE)).get(0);
    }
    assertEquals(P.outputPrefix() + NO, r.steps().get(0).samples().get(0).text());
    assertEquals(box(canonicalPrompts(bytes, P.systemDirect(), ONE, List.of()).get(0)), box(direct.forkSources.get(0)));
    assertEquals(0, r.firstErrorStep());
    assertNull(new CritiqueResult("x", List.of(0.9), List.of(), null).feedback());
  }

  @Test
  void aSampleWaitingForItsCodeDoesNotHoldBackTheOthers() {
    List<ScriptedModel.Rule> rules = List.of(
        ScriptedModel.Rule.of("step by step: ", "Fine.\n</analyze>\n"),
        new ScriptedModel.Rule("```python\n", t -> t.contains("SLOW") ? "print(2)\n```\n" : "print(1)\n```\n"),
        ScriptedModel.Rule.of("\n1\n```\n", JUDGE + "{Yes}$\n</output>\n"),
        ScriptedModel.Rule.of("\n2\n```\n", JUDGE + "{Yes}$\n</output>\n"));
    ScriptedModel model = new ScriptedModel(bytes, rules, null, 4096);
    AtomicBoolean othersAdvanced = new AtomicBoolean();
    ScriptedExecutor exec = new ScriptedExecutor(code -> {
      if (code.equals("print(1)")) return "1";
      int start = model.appendCalls;
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < deadline) {
        if (model.appendCalls >= start + 20) {
          othersAdvanced.set(true);
          break;
        }
        Thread.onSpinWait();
      }
      return "2";
    });
    List<CritiqueResult> rs;
    try (Critic critic = critic(model, bytes, exec, config(CriticMode.FULL, 1))) {
      rs = critic.critique(List.of(
          new CritiqueRequest("slow", "SLOW problem", List.of("step")),
          new CritiqueRequest("fast", "fast problem", List.of("step"))));
    }
    assertTrue(othersAdvanced.get(), "the engine kept running while the slow snippet ran");
    assertEquals("slow", rs.get(0).id());
    assertEquals("fast", rs.get(1).id());
    assertEquals(2, exec.sessions.size());
    assertTrue(model.largestBatch >= 2);
  }

  @Test
  void stepsThatOutgrowTheModelAreUndecidedAndEverythingIsReleased() {
    int prompt = canonicalPrompts(bytes, P.systemStepByStep(), ONE, List.of()).get(0).length
        - bytes.encode(ONE.problem() + "\n" + ONE.steps().get(0)).length
        + bytes.encode(DOUBLING.problem() + "\n" + DOUBLING.steps().get(0)).length;
    // Room for the first step's analysis prefix and part of its analysis, not for the rest.
    ScriptedModel model = new ScriptedModel(bytes, twoStepRules("The sum is right.\n</analyze>\n"), RIVAL, prompt + 70);
    CritiqueResult r;
    try (Critic critic = critic(model, bytes, new ScriptedExecutor(ARITHMETIC), config(CriticMode.FULL, 2))) {
      r = critic.critique(List.of(DOUBLING)).get(0);
    }
    assertEquals(List.of(0.5, 0.5), r.stepRewards());
    assertEquals(-1, r.firstErrorStep());
    assertEquals(0, model.liveStates);
  }

  @Test
  void samplesDependOnTheSeedItemStepAndSampleButNotOnTheBatch() {
    // Flat logits over the printable bytes: every token is a real random draw.
    ScriptedModel.Shaper flat = (text, branch, logits) -> {
      java.util.Arrays.fill(logits, -100f);
      for (int b = 'a'; b <= 'z'; b++) logits[b] = 0f;
    };
    CriticConfig cfg = config(CriticMode.ANALYZE, 2).withStepTokenBudget(30).withSeed(11);
    CritiqueRequest other = new CritiqueRequest("other", "Another problem.", List.of("x", "y"));
    List<CritiqueResult> together;
    CritiqueResult alone;
    CritiqueResult reseeded;
    try (Critic critic = critic(new ScriptedModel(bytes, List.of(), flat, 4096), bytes, null, cfg)) {
      together = critic.critique(List.of(other, DOUBLING));
    }
    try (Critic critic = critic(new ScriptedModel(bytes, List.of(), flat, 4096), bytes, null, cfg)) {
      alone = critic.critique(List.of(DOUBLING)).get(0);
    }
    try (Critic critic = critic(new ScriptedModel(bytes, List.of(), flat, 4096), bytes, null, cfg.withSeed(12))) {
      reseeded = critic.critique(List.of(DOUBLING)).get(0);
    }
    assertEquals(alone, together.get(1));
    SampleCritique a = alone.steps().get(0).samples().get(0);
    assertEquals(30, a.analysis().length());
    assertFalse(a.analysis().equals(alone.steps().get(0).samples().get(1).analysis()), "the K samples differ");
    assertFalse(a.analysis().equals(reseeded.steps().get(0).samples().get(0).analysis()), "the seed matters");
  }
}
