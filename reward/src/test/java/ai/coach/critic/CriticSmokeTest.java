package ai.coach.critic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.critic.CritiqueResult.SampleCritique;
import ai.coach.critic.CritiqueResult.StepCritique;
import ai.coach.lm.Checkpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** The critic end to end on the ND4J engine, with a small random-weight Qwen2 checkpoint. */
class CriticSmokeTest {

  @TempDir Path dir;

  @Test
  void everyStepGetsARewardWithinItsBudget() throws IOException {
    TestCheckpoints.writeRandomQwen2(dir, 7, 64, 2, 4096);
    int budget = 24;
    List<CritiqueRequest> requests = List.of(
        new CritiqueRequest("a", "What is 3 * 4?", List.of("3 * 4 = 12.", "So the answer is 12.")),
        new CritiqueRequest("b", "Halve 10.", List.of("10 / 2 = 6.")));
    ScriptedExecutor sandbox = new ScriptedExecutor(code -> "ran: " + code.length() + " chars");
    CriticConfig config = CriticConfig.DEFAULTS.withSamples(2).withStepTokenBudget(budget);
    List<CritiqueResult> results;
    CriticStats stats;
    try (Checkpoint ckpt = Checkpoint.load(dir, DataType.FLOAT);
        Critic critic = Critic.of(ckpt, sandbox, config)) {
      results = critic.critique(requests);
      stats = critic.stats();
    }
    assertEquals(2, results.size());
    // As in GenPRM, the analysis may use the whole budget on its own; after it only the forced
    // closing text and the short judgement may follow.
    CriticPrompts p = CriticPrompts.genprm();
    int maxTurn = 0;
    try (ai.coach.tokenizer.Tokenizer tok = ai.coach.tokenizer.Tokenizer.load(dir)) {
      maxTurn = tok.encode(p.analyzePrefix(2)).length + budget + tok.encode(p.analyzeStop() + p.outputPrefix()).length
          + config.fallbackTokens();
    }
    for (int i = 0; i < requests.size(); i++) {
      CritiqueResult r = results.get(i);
      assertEquals(requests.get(i).id(), r.id());
      assertEquals(requests.get(i).steps().size(), r.stepRewards().size());
      for (StepCritique step : r.steps()) {
        assertTrue(step.reward() >= 0 && step.reward() <= 1, "reward " + step.reward());
        assertEquals(2, step.samples().size());
        for (SampleCritique s : step.samples()) {
          assertTrue(s.reward() >= 0 && s.reward() <= 1);
          assertTrue(s.tokens() <= maxTurn, "turn of " + s.tokens() + " tokens");
          assertTrue(s.text().startsWith(CriticPrompts.genprm().analyzePrefix(r.steps().indexOf(step) + 1)), s.text());
        }
      }
    }
    // Whatever code the random model wrote went to its solution's session, one session per solution.
    long ran = sandbox.sessions.stream().mapToLong(s -> s.ran.size()).sum();
    assertEquals(stats.codeRuns(), ran);
    assertTrue(sandbox.sessions.size() <= 2);
    assertEquals(3, stats.steps());
    assertTrue(stats.decodeTokens() > 0 && stats.prefillTokens() > 0);
  }
}
