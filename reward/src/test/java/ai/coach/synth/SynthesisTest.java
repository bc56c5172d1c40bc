package ai.coach.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.lm.ModelRegistry;
import ai.coach.rollout.PolicyPrompt;
import ai.coach.synth.Records.Critique;
import ai.coach.synth.Records.Estimate;
import ai.coach.synth.Records.Labelled;
import ai.coach.synth.Records.ProblemSamples;
import ai.coach.synth.Records.SampledPath;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * All stages on a few problems with the shipped policy and the real sandbox and grader: the files
 * are consistent with each other, and a stage killed mid-write resumes to the same result.
 */
class SynthesisTest {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @AfterAll
  static void release() {
    ModelRegistry.closeAll();
  }

  @Test
  void stagesAgreeAndResumeAfterAKill(@TempDir Path dir) throws Exception {
    SynthConfig config = new SynthConfig(dir.toString(),
        new SynthConfig.Problems(8, 2),
        new SynthConfig.Policy(ROOT.resolve("models/policy-tiny").toString(), PolicyPrompt.TESTBED_SYSTEM_PROMPT, 0.7, 1.0,
            120, 1, 64),
        new SynthConfig.Solutions(6, 1),
        new SynthConfig.MonteCarlo(4, 3, 2),
        new SynthConfig.Labels(0.8),
        new SynthConfig.Critic(ROOT.resolve("models/tokenizer-arith").toString(), 0.0, 1024),
        "unused.yaml");
    List<String> log = new ArrayList<>();
    Synthesis synthesis = new Synthesis(config, false, log::add);
    for (String stage : Synthesis.STAGES) synthesis.run(stage);

    List<ProblemSamples> sampled = Journal.readFinished(dir.resolve("solutions.jsonl"), ProblemSamples.class, "solutions");
    assertEquals(8, sampled.size());
    List<SampledPath> kept = sampled.stream().flatMap(p -> p.kept().stream()).toList();
    assertFalse(kept.isEmpty(), "no problem had both a right and a wrong solution: " + log);
    for (ProblemSamples p : sampled) {
      assertEquals(p.kept().stream().filter(SampledPath::correct).count(), p.kept().stream().filter(s -> !s.correct()).count(),
          "right and wrong solutions are balanced");
    }
    for (SampledPath p : kept) {
      assertFalse(String.join("\n", p.steps()).contains("<|im_end|>"), "the policy's end token is not solution text: " + p.steps());
    }

    Path mcFile = dir.resolve("monte_carlo.jsonl");
    List<Estimate> estimates = Journal.readFinished(mcFile, Estimate.class, "monte-carlo");
    assertEquals(kept.size(), estimates.size());
    Map<String, Labelled> labels = byId(Journal.readFinished(dir.resolve("labels.jsonl"), Labelled.class, "labels"), Labelled::id);
    Map<String, Critique> critiques = byId(Journal.readFinished(dir.resolve("rationales.jsonl"), Critique.class, "rationales"),
        Critique::id);
    for (Estimate e : estimates) {
      int steps = e.path().steps().size();
      assertEquals(steps, e.mc().size());
      assertEquals(e.path().correct() ? 1.0 : 0.0, e.mc().get(steps - 1), "the last step is scored by its own answer");
      for (int t = 0; t < steps - 1; t++) assertTrue(List.of(2, 3, 4).contains(e.rollouts().get(t)), "rollouts " + e.rollouts());
      assertEquals(steps, labels.get(e.path().id()).rpe().size());
      assertEquals(steps, critiques.get(e.path().id()).rationales().size());
    }

    JsonNode report = Journal.JSON.readTree(dir.resolve("filter.json").toFile());
    int keptRpe = report.path("rpe").path("kept").asInt();
    assertEquals(keptRpe, Files.readAllLines(dir.resolve("sft-rpe.jsonl")).size());
    // The analyze-mode ablation trains on the same solutions, the code left out.
    for (String variant : List.of("rpe", "hard")) {
      for (String part : List.of("", "-dev")) {
        List<String> full = Files.readAllLines(dir.resolve("sft-" + variant + part + ".jsonl"));
        List<String> analyze = Files.readAllLines(dir.resolve("sft-" + variant + "-analyze" + part + ".jsonl"));
        assertEquals(full.size(), analyze.size(), variant + part);
        for (int i = 0; i < full.size(); i++) assertTrue(analyze.get(i).length() < full.get(i).length(), variant + part + " " + i);
      }
    }
    int agreeing = 0;
    for (Critique c : critiques.values()) {
      if (labels.get(c.id()).rpe().equals(c.rationales().stream().map(Rationale::correct).toList())) agreeing++;
    }
    assertEquals(agreeing, keptRpe + report.path("rpe").path("dropped_too_long").asInt());

    // A kill in the middle of a line: the cut line is dropped and redone, with the same result.
    List<String> lines = Files.readAllLines(mcFile, StandardCharsets.UTF_8);
    String last = lines.get(lines.size() - 1);
    List<String> cut = new ArrayList<>(lines.subList(0, lines.size() - 1));
    cut.add(last.substring(0, last.length() / 2));
    Files.write(mcFile, cut, StandardCharsets.UTF_8);
    synthesis.run("monte-carlo");
    assertEquals(lines, Files.readAllLines(mcFile, StandardCharsets.UTF_8));

    // A stage stopped early cannot feed the next one: a file one record short is an error naming it.
    for (String[] c : new String[][] {{"solutions.jsonl", "monte-carlo"}, {"monte_carlo.jsonl", "labels"},
        {"monte_carlo.jsonl", "rationales"}, {"rationales.jsonl", "filter"}}) {
      Path file = dir.resolve(c[0]);
      List<String> whole = Files.readAllLines(file, StandardCharsets.UTF_8);
      Files.write(file, whole.subList(0, whole.size() - 1), StandardCharsets.UTF_8);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> synthesis.run(c[1]));
      assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("of the " + whole.size() + " "),
          e.getMessage());
      Files.write(file, whole, StandardCharsets.UTF_8);
    }

    // Work the config does not make means another config made the file; a record twice is an error too.
    Path solutions = dir.resolve("solutions.jsonl");
    List<String> whole = Files.readAllLines(solutions, StandardCharsets.UTF_8);
    String foreignId = "arith-from-another-config";
    String foreign = whole.get(0).replace(sampled.get(0).problemId(), foreignId);
    for (String[] c : new String[][] {{foreign, foreignId + ", which this config does not make"},
        {whole.get(0), sampled.get(0).problemId() + " twice"}}) {
      List<String> more = new ArrayList<>(whole);
      more.add(c[0]);
      Files.write(solutions, more, StandardCharsets.UTF_8);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> synthesis.run("monte-carlo"));
      assertTrue(e.getMessage().contains(solutions.toString()) && e.getMessage().contains(c[1]), e.getMessage());
    }
    Files.write(solutions, whole, StandardCharsets.UTF_8);

    // A finished stage run again has nothing to do.
    byte[] before = Files.readAllBytes(dir.resolve("solutions.jsonl"));
    synthesis.run("solutions");
    assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(dir.resolve("solutions.jsonl")));
  }

  private static <T> Map<String, T> byId(List<T> records, Function<T, String> id) {
    return records.stream().collect(Collectors.toMap(id, r -> r));
  }
}
