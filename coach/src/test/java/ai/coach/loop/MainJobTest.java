package ai.coach.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.config.YamlConfig;
import ai.coach.testbed.ArithmeticGenerator;
import ai.coach.testbed.Split;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resuming keeps exactly the finished problems; the report's selection metrics add up. */
class MainJobTest {

  static RunRecord record(String task, int sample, String answer, boolean correct, List<Double> rewards) {
    return new RunRecord(task, sample, "p", "7", List.of("Step 1: 3 + 4 = 7. \\boxed{7}"), answer, correct, "stop", rewards, -1);
  }

  static RunConfig config(int samples) {
    return new RunConfig("out", new RunConfig.TaskSet("arithmetic", "test", 3, 1),
        new RunConfig.Policy("m", null, samples, 0.7, 0.95, 64, 1, 4), null);
  }

  @Test
  void resumeDropsACutLineAndIncompleteProblems(@TempDir Path dir) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path file = dir.resolve("solutions.jsonl");
    List<String> lines = new ArrayList<>();
    lines.add(json.writeValueAsString(record("a", 0, "7", true, null)));
    lines.add(json.writeValueAsString(record("a", 1, "8", false, null)));
    lines.add(json.writeValueAsString(record("b", 0, "7", true, null)));
    String cut = json.writeValueAsString(record("b", 1, "7", true, null));
    Files.writeString(file, String.join("\n", lines) + "\n" + cut.substring(0, cut.length() / 2));
    Map<String, List<RunRecord>> done = MainJob.Resume.read(file, 2);
    assertEquals(List.of("a"), List.copyOf(done.keySet()));
    assertEquals(2, Files.readAllLines(file).size(), "the file keeps only finished problems");
  }

  @Test
  void aRunDirectoryContinuesOnlyWithTheSettingsAndWeightsItStartedWith(@TempDir Path dir) throws Exception {
    RunConfig.TaskSet task = new RunConfig.TaskSet("arithmetic", "test", 1, 1);
    RunConfig.Policy policy = new RunConfig.Policy("../models/policy-tiny", null, 2, 0.7, 0.95, 64, 1, 4);
    RunConfig config = new RunConfig("run", task, policy, null);
    // Both samples of the only problem are done, so the run loads no model.
    String id = new ArithmeticGenerator(1, Split.TEST).next().id();
    ObjectMapper json = new ObjectMapper();
    Path out = Files.createDirectories(dir.resolve("run"));
    Files.writeString(out.resolve("solutions.jsonl"), json.writeValueAsString(record(id, 0, "7", true, null)) + "\n"
        + json.writeValueAsString(record(id, 1, "8", false, null)) + "\n");
    assertEquals(0.5, (double) new MainJob(config, dir, m -> {}).run().get("accuracy"), 1e-12);
    String kept = Files.readString(out.resolve("run.json"));
    assertTrue(kept.contains("policy_sha256"), kept);
    assertEquals(0.5, (double) new MainJob(config, dir, m -> {}).run().get("accuracy"), 1e-12, "same settings resume");

    RunConfig hotter = new RunConfig("run", task, new RunConfig.Policy("../models/policy-tiny", null, 2, 1.0, 0.95, 64, 1, 4), null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MainJob(hotter, dir, m -> {}).run());
    assertTrue(e.getMessage().startsWith(out.resolve("run.json") + ": this directory holds results made with"), e.getMessage());
    assertEquals(kept, Files.readString(out.resolve("run.json")));
  }

  @Test
  void reportCountsAccuracyPassMajorityAndPrmChoice() {
    Map<String, List<RunRecord>> byTask = new LinkedHashMap<>();
    // Majority right, the critic prefers the wrong one.
    byTask.put("a", List.of(record("a", 0, "7", true, List.of(0.9, 0.2)), record("a", 1, "7", true, List.of(0.9, 0.3)),
        record("a", 2, "8", false, List.of(0.8, 0.7))));
    // Majority wrong, the critic finds the right one.
    byTask.put("b", List.of(record("b", 0, "5", false, List.of(0.1)), record("b", 1, "5", false, List.of(0.2)),
        record("b", 2, "7", true, List.of(0.95))));
    Map<String, Object> r = Report.summarise(byTask, config(3));
    assertEquals(3.0 / 6, (double) r.get("accuracy"), 1e-12);
    assertEquals(1.0, (double) r.get("pass_at_k"), 1e-12);
    assertEquals(0.5, (double) r.get("majority_vote_accuracy"), 1e-12);
    assertEquals(0.5, (double) r.get("prm_best_of_n_accuracy"), 1e-12);
  }

  @Test
  void prmChoiceTreatsFloatNoiseAsATie() {
    Map<String, List<RunRecord>> byTask = new LinkedHashMap<>();
    // Both accepted; the later one leads by rounding noise only, so the earlier one is picked.
    byTask.put("a", List.of(record("a", 0, "7", true, List.of(0.9999990, 0.9999991)),
        record("a", 1, "8", false, List.of(0.9999990 + 2e-9, 0.9999995))));
    // A real lead still wins.
    byTask.put("b", List.of(record("b", 0, "5", false, List.of(0.99)), record("b", 1, "7", true, List.of(0.999))));
    assertEquals(1.0, (double) Report.summarise(byTask, config(2)).get("prm_best_of_n_accuracy"), 1e-12);
  }

  @Test
  void shippedRunConfigsBindAndDifferOnlyInTheCriticAndOutput() {
    RunConfig plain = YamlConfig.read(Path.of("../configs/default.yaml"), RunConfig.class);
    RunConfig critic = YamlConfig.read(Path.of("../configs/default-critic.yaml"), RunConfig.class);
    assertEquals(null, plain.critic());
    assertEquals("models/genprm-tiny", critic.critic().model());
    assertEquals(plain.task(), critic.task());
    assertEquals(plain.policy(), critic.policy());
    assertEquals("runs/default-critic", critic.out());
  }

  @Test
  void configErrorsNameTheKey(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "out: r\ntask: {name: arithmetic, split: test, n: 3, seed: 1}\n"
        + "policy: {model: m, system_prompt: null, samples: 0, temperature: 0.7, top_p: 0.9, max_new_tokens: 8, seed: 1, batch: 1}\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> YamlConfig.read(bad, RunConfig.class));
    assertTrue(e.getMessage().contains("policy.samples"), e.getMessage());
    Path unknown = dir.resolve("unknown.yaml");
    Files.writeString(unknown, "out: r\ntask: {name: arithmetic, split: test, n: 3, seed: 1}\n"
        + "policy: {model: m, system_prompt: null, sampels: 2, samples: 2, temperature: 0.7, top_p: 0.9, max_new_tokens: 8, seed: 1, batch: 1}\n");
    e = assertThrows(IllegalArgumentException.class, () -> YamlConfig.read(unknown, RunConfig.class));
    assertTrue(e.getMessage().contains("sampels"), e.getMessage());
    assertFalse(e.getMessage().isBlank());
    String plain = "out: r\ntask: {name: arithmetic, split: test, n: 3, seed: 1}\n"
        + "policy: {model: m, system_prompt: null, samples: 2, temperature: 0.7, top_p: 0.9, max_new_tokens: 8, seed: 1, batch: 1}\n";
    Path hot = dir.resolve("hot.yaml");
    Files.writeString(hot, plain + "critic: {model: c, mode: full, samples: 1, temperature: -1, threshold: 0.5, seed: 0}\n");
    e = assertThrows(IllegalArgumentException.class, () -> YamlConfig.read(hot, RunConfig.class));
    assertTrue(e.getMessage().contains("critic.temperature"), e.getMessage());
    Path missing = dir.resolve("missing.yaml");
    Files.writeString(missing, plain + "critic: {model: c, mode: full, samples: 1, threshold: 0.5, seed: 0}\n");
    e = assertThrows(IllegalArgumentException.class, () -> YamlConfig.read(missing, RunConfig.class));
    assertTrue(e.getMessage().contains("temperature"), e.getMessage());
  }
}
