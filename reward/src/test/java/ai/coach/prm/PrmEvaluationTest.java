package ai.coach.prm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.critic.CritiqueRequest;
import ai.coach.critic.CritiqueResult;
import ai.coach.critic.CritiqueResult.Feedback;
import ai.coach.critic.CritiqueResult.SampleCritique;
import ai.coach.critic.CritiqueResult.StepCritique;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrmEvaluationTest {

  @TempDir Path dir;

  /** Rewards every step 0.9 except the step named "bad", which gets 0.1. */
  static CritiqueResult judge(CritiqueRequest r) {
    List<Double> rewards = new ArrayList<>();
    List<StepCritique> steps = new ArrayList<>();
    Feedback feedback = null;
    for (int t = 0; t < r.steps().size(); t++) {
      double v = r.steps().get(t).equals("bad") ? 0.1 : 0.9;
      rewards.add(v);
      steps.add(new StepCritique(v, List.of(new SampleCritique("looks " + v, List.of(), "{Yes}$", v, false, "", 3))));
      if (feedback == null && v < 0.5) feedback = new Feedback(t, v, "looks " + v);
    }
    return new CritiqueResult(r.id(), rewards, steps, feedback);
  }

  ProcessBenchSubset data() throws IOException {
    Path f = dir.resolve("toy.jsonl");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      String steps = i % 2 == 0 ? "[\"ok\", \"bad\"]" : "[\"ok\", \"ok\"]";
      b.append("{\"id\": \"t").append(i).append("\", \"problem\": \"p\", \"steps\": ").append(steps)
          .append(", \"label\": ").append(i % 2 == 0 ? 1 : -1).append("}\n");
    }
    Files.writeString(f, b);
    return ProcessBench.read(f);
  }

  @Test
  void interruptedRunResumesWithoutRedoingFinishedItems() throws IOException {
    ProcessBenchSubset data = data();
    Path out = dir.resolve("run");
    // Typed as the CLI's: a long seed and a double read back from run.json as other node types.
    Map<String, Object> settings = Map.of("mode", "full", "samples", 1, "seed", 0L, "temperature", 0.6f);
    List<String> seen = new ArrayList<>();
    Function<List<CritiqueRequest>, List<CritiqueResult>> failing = batch -> {
      if (!seen.isEmpty()) throw new IllegalStateException("killed");
      batch.forEach(r -> seen.add(r.id()));
      return batch.stream().map(PrmEvaluationTest::judge).toList();
    };
    assertThrows(IllegalStateException.class, () -> new PrmEvaluation(failing, 2, 0.5, false).run(List.of(data), out, settings));
    assertEquals(List.of("t0", "t1"), seen);
    // A line cut off mid-write by the interruption is dropped on resume.
    Files.writeString(out.resolve(PrmEvaluation.PREDICTIONS), "{\"id\": \"t2\", \"step_rew", java.nio.file.StandardOpenOption.APPEND);

    List<String> second = new ArrayList<>();
    Function<List<CritiqueRequest>, List<CritiqueResult>> ok = batch -> {
      batch.forEach(r -> second.add(r.id()));
      return batch.stream().map(PrmEvaluationTest::judge).toList();
    };
    MetricsReport m = new PrmEvaluation(ok, 2, 0.5, false).run(List.of(data), out, settings);
    assertEquals(List.of("t2", "t3", "t4"), second);
    assertEquals(1, m.meanF1());
    assertEquals(5, Predictions.read(out.resolve(PrmEvaluation.PREDICTIONS), false).rewards().size());
    assertEquals(List.of(), m.bySamples(), "one sample per step");
    JsonNode metrics = Predictions.JSON.readTree(out.resolve(PrmEvaluation.METRICS).toFile());
    assertEquals(1.0, metrics.path("subsets").path("toy").path("f1").asDouble());
    assertEquals(5, metrics.path("subsets").path("toy").path("n").asInt());
    assertEquals(1.0, metrics.path("mean_f1").asDouble());
    assertTrue(metrics.path("by_samples").isMissingNode(), metrics.toString());
    JsonNode line = Predictions.JSON.readTree(Files.readAllLines(out.resolve(PrmEvaluation.PREDICTIONS)).get(0));
    assertEquals("looks 0.1", line.path("steps").path(1).path("samples").path(0).path("analysis").asText());
    assertEquals(1, line.path("first_error_step").asInt());

    IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
        () -> new PrmEvaluation(ok, 2, 0.5, false).run(List.of(data), out, Map.of("mode", "direct", "samples", 1)));
    assertTrue(other.getMessage().contains("use another output directory"), other.getMessage());
  }

  @Test
  void metricsOfARunWithSeveralSamplesHoldTheScoreByNumberOfSamples() throws IOException {
    // Sample 0 judges every step right; sample 1 rejects every step, so alone it fails the correct items.
    Function<List<CritiqueRequest>, List<CritiqueResult>> twoSamples = batch -> batch.stream().map(r -> {
      List<StepCritique> steps = new ArrayList<>();
      List<Double> rewards = new ArrayList<>();
      for (String step : r.steps()) {
        double right = step.equals("bad") ? 0.0 : 1.0;
        steps.add(new StepCritique((right + 0.0) / 2, List.of(
            new SampleCritique("a", List.of(), "{Yes}$", right, false, "", 3),
            new SampleCritique("b", List.of(), "{No}$", 0.0, false, "", 3))));
        rewards.add((right + 0.0) / 2);
      }
      return new CritiqueResult(r.id(), rewards, steps, null);
    }).toList();
    Path out = dir.resolve("k2");
    MetricsReport m = new PrmEvaluation(twoSamples, 5, 0.5, false).run(List.of(data()), out, Map.of("samples", 2));
    // Sample 0 alone: F1 1. Sample 1 alone: every item flagged at step 0, none right. Both: the
    // good steps average 0.5 and pass, so F1 1.
    assertEquals(List.of(new SamplesScore(1, 0.5, 0.5, 2), new SamplesScore(2, 1.0, 0.0, 1)), m.bySamples());
    JsonNode metrics = Predictions.JSON.readTree(out.resolve(PrmEvaluation.METRICS).toFile());
    assertEquals(2, metrics.path("by_samples").size());
    assertEquals(0.5, metrics.path("by_samples").path(0).path("mean_f1").asDouble());
  }
}
