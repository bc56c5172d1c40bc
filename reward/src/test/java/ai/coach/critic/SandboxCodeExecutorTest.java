package ai.coach.critic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.coach.critic.CritiqueResult.CodeRound;
import ai.coach.critic.CritiqueResult.SampleCritique;
import ai.coach.sandbox.CodeSandbox;
import ai.coach.sandbox.SandboxConfig;
import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/** Critic code really runs in the sandbox: one namespace per solution, GenPRM's output format. */
class SandboxCodeExecutorTest {

  @TempDir Path dir;

  @Test
  void verificationCodeRunsInOneSandboxSessionPerSolution() throws Exception {
    TestCheckpoints.writeTokenizer(dir, false);
    List<ScriptedModel.Rule> rules = List.of(
        ScriptedModel.Rule.of("step by step: ", "Fine.\n</analyze>\n"),
        new ScriptedModel.Rule("```python\n", t -> CriticProtocolTest.paragraph(t) == 1 ? "x = 6 * 7\nprint(x)\n```\n" : "print(x // 0)\n```\n"),
        ScriptedModel.Rule.of("\n42\n```\n", CriticProtocolTest.JUDGE + CriticProtocolTest.YES),
        ScriptedModel.Rule.of("by zero\n```\n", CriticProtocolTest.JUDGE + CriticProtocolTest.NO));
    CritiqueResult r;
    try (Tokenizer tok = Tokenizer.load(dir);
        SandboxCodeExecutor sandbox = new SandboxCodeExecutor(new CodeSandbox(SandboxConfig.DEFAULTS.withPool(4, 1)));
        Critic critic = new Critic(new ScriptedModel(tok, rules, null, 4096), tok, ChatTemplate.load(dir),
            Set.of(TestCheckpoints.IM_END), sandbox, CriticPrompts.genprm(), CriticConfig.DEFAULTS)) {
      r = critic.critique(List.of(new CritiqueRequest("s", "Six sevens?", List.of("6 * 7 = 42.", "Divide by zero.")))).get(0);
    }
    SampleCritique first = r.steps().get(0).samples().get(0);
    assertEquals(List.of(new CodeRound("x = 6 * 7\nprint(x)", "42")), first.codeRounds());
    assertEquals(CriticProtocolTest.turn(1, "Fine.\n</analyze>\n", "x = 6 * 7\nprint(x)\n```\n", "42",
        CriticProtocolTest.JUDGE + CriticProtocolTest.YES), first.text());
    // Step 2 reuses x from step 1's snippet: the same session.
    assertEquals(List.of(new CodeRound("print(x // 0)", "Code execute Error: ZeroDivisionError: integer division or modulo by zero")),
        r.steps().get(1).samples().get(0).codeRounds());
    assertEquals(1, r.firstErrorStep());
  }
}
