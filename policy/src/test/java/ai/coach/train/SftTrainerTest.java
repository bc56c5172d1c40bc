package ai.coach.train;

import ai.coach.config.YamlConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.lm.Qwen2Model;
import ai.coach.lm.SequenceState;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

class SftTrainerTest {

  @TempDir Path tmp;

  /** Pre-tokenized examples: a "prompt" of random ids, then a response that copies it. */
  private Path writeData(String name, int count, long seed) throws IOException {
    Random r = new Random(seed);
    ObjectMapper json = new ObjectMapper();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = 3 + r.nextInt(4);
      List<Integer> ids = new ArrayList<>();
      List<Integer> mask = new ArrayList<>();
      ids.add(1);
      mask.add(0);
      int[] prompt = new int[n];
      for (int j = 0; j < n; j++) {
        prompt[j] = 3 + r.nextInt(20);
        ids.add(prompt[j]);
        mask.add(0);
      }
      ids.add(2);
      mask.add(0);
      for (int p : prompt) {
        ids.add(p);
        mask.add(1);
      }
      lines.add(json.writeValueAsString(Map.of("input_ids", ids, "loss_mask", mask)));
    }
    Path file = tmp.resolve(name);
    Files.write(file, lines);
    return file;
  }

  private Path writeConfig(String name, Path runDir, Path train, Path dev, int steps, int saveEvery) throws IOException {
    String yaml = """
        run_dir: %s
        seed: 7
        model:
          architecture:
            hidden_size: 32
            intermediate_size: 64
            num_hidden_layers: 2
            num_attention_heads: 4
            num_key_value_heads: 2
            vocab_size: 24
            max_position_embeddings: 64
          init_std: 0.05
        data:
          train: %s
          dev: %s
          max_length: 32
        train:
          batch_size: 4
          grad_accum: 2
          max_steps: %d
          lr: 0.01
          warmup_steps: 2
          weight_decay: 0.01
          grad_clip: 1.0
          log_every: 1
          eval_every: 5
          save_every: %d
        """.formatted(runDir, train, dev, steps, saveEvery);
    Path file = tmp.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void overfitsATinySetAndTheResultLoadsInTheEngine() throws Exception {
    Path train = writeData("train.jsonl", 16, 1);
    Path runDir = tmp.resolve("run");
    SftConfig config = YamlConfig.read(writeConfig("c.yaml", runDir, train, train, 40, 0), SftConfig.class);
    List<SftData.Example> examples = SftData.read(train, null, null, null, 32, 24);
    double before;
    try (TrainableQwen2 fresh = TrainableQwen2.initialize(config.model().architecture().toModelConfig(List.of()),
        DataType.FLOAT, 7, 0.05)) {
      before = SftTrainer.devLoss(fresh, examples, 4, 10);
    }
    SftTrainer.Result result = new SftTrainer(config, false).run();
    assertEquals(40, result.steps());
    assertTrue(result.devLoss() < before * 0.5, "dev loss " + result.devLoss() + " vs " + before + " before training");
    List<String> metrics = Files.readAllLines(runDir.resolve("metrics.jsonl"));
    assertTrue(metrics.size() >= 40, "one metrics line per step plus dev evaluations");

    int[] ids = examples.get(0).ids();
    double[][] ours;
    try (TrainableQwen2 trained = TrainableQwen2.load(result.finalModel(), DataType.FLOAT)) {
      ours = trained.logits(1, ids.length, ids);
    }
    try (Qwen2Model engine = Qwen2Model.load(result.finalModel()); SequenceState s = engine.newSequence()) {
      float[][] ref = engine.appendAll(List.of(s), List.of(ids)).get(0);
      for (int t = 0; t < ids.length; t++) {
        for (int v = 0; v < 24; v++) assertEquals(ref[t][v], ours[t][v], 1e-4);
      }
    }
  }

  @Test
  void resumingFromACheckpointGivesTheSameWeightsAsAnUninterruptedRun() throws Exception {
    Path train = writeData("train.jsonl", 20, 2);
    Path straightDir = tmp.resolve("straight");
    new SftTrainer(YamlConfig.read(writeConfig("a.yaml", straightDir, train, train, 8, 0), SftConfig.class), false).run();

    Path resumedDir = tmp.resolve("resumed");
    SftConfig config = YamlConfig.read(writeConfig("b.yaml", resumedDir, train, train, 8, 4), SftConfig.class);
    new SftTrainer(config, false).run();
    // Simulate a run that stopped right after the step-4 checkpoint.
    deleteTree(resumedDir.resolve("final"));
    deleteTree(resumedDir.resolve("checkpoints/step-00000008"));
    new SftTrainer(config, false).run();

    try (TrainableQwen2 a = TrainableQwen2.load(straightDir.resolve("final"), DataType.FLOAT);
        TrainableQwen2 b = TrainableQwen2.load(resumedDir.resolve("final"), DataType.FLOAT)) {
      assertArrayEquals(a.params().values().toFloatVector(), b.params().values().toFloatVector());
    }
    List<String> metrics = Files.readAllLines(resumedDir.resolve("metrics.jsonl"));
    List<String> straight = Files.readAllLines(straightDir.resolve("metrics.jsonl"));
    assertEquals(straight.size(), metrics.size(), "resumed metrics have no duplicated steps");
  }

  @Test
  void devAccuracyRunsTheSavedModelInTheEngine() throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<String> lines = new ArrayList<>();
    String[][] qa = {{"7 + 5", "12"}, {"30 - 4", "26"}, {"6 * 7", "42"}, {"81 / 9", "9"}};
    for (String[] p : qa) {
      lines.add(json.writeValueAsString(Map.of("prompt", "What is " + p[0] + "?", "response", p[0] + " = \\boxed{" + p[1] + "}",
          "answer", p[1])));
    }
    Path data = tmp.resolve("qa.jsonl");
    Files.write(data, lines);
    Path runDir = tmp.resolve("acc");
    String yaml = """
        run_dir: %s
        seed: 3
        model:
          architecture: {hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2,
                         vocab_size: 795, max_position_embeddings: 128}
          tokenizer: src/test/resources/fixtures/models/gqa-tied
        data: {train: %s, dev: %s, max_length: 96, system_prompt: "Compute."}
        train: {batch_size: 4, max_steps: 150, lr: 0.01, warmup_steps: 5, log_every: 50, eval_samples: 4,
                eval_max_new_tokens: 16}
        """.formatted(runDir, data, data);
    Path cfg = tmp.resolve("acc.yaml");
    Files.writeString(cfg, yaml);
    SftTrainer.Result r = new SftTrainer(YamlConfig.read(cfg, SftConfig.class), false).run();
    assertEquals(1.0, r.devAccuracy(), "four memorised problems, dev loss " + r.devLoss());
    assertEquals("12", AnswerAccuracy.lastBoxed("a \\boxed{3} then \\boxed{ 12 }."));
  }

  @Test
  void fineTuningCanRaiseTheContextLimit() throws Exception {
    Path model = Path.of("src/test/resources/fixtures/models/gqa-tied");
    int stored = ai.coach.lm.ModelConfig.read(model).maxPositions();
    Path data = tmp.resolve("long.jsonl");
    Files.writeString(data, new ObjectMapper().writeValueAsString(Map.of("prompt", "x".repeat(stored), "response", "y")) + "\n");
    Path runDir = tmp.resolve("longer");
    Path cfg = tmp.resolve("longer.yaml");
    Files.writeString(cfg, """
        run_dir: %s
        model: {from: %s, max_position_embeddings: %d}
        data: {train: %s, max_length: %d}
        train: {batch_size: 1, max_steps: 2, lr: 0.001, warmup_steps: 1, log_every: 1}
        """.formatted(runDir, model, 2 * stored, data, 2 * stored));
    SftTrainer.Result r = new SftTrainer(YamlConfig.read(cfg, SftConfig.class), false).run();
    assertEquals(2 * stored, ai.coach.lm.ModelConfig.read(r.finalModel()).maxPositions());

    Files.writeString(cfg, "run_dir: x\nmodel: {architecture: {hidden_size: 8, intermediate_size: 8, num_hidden_layers: 1, "
        + "num_attention_heads: 2, vocab_size: 10}, max_position_embeddings: 64}\ndata: {train: t.jsonl}\n"
        + "train: {batch_size: 2, max_steps: 1, lr: 0.1}\n");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> YamlConfig.read(cfg, SftConfig.class));
    assertTrue(e.getMessage().contains("model.max_position_embeddings"), e.getMessage());
  }

  private static void deleteTree(Path p) throws IOException {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
    }
  }

  @Test
  void criticAblationConfigsDifferFromTheShippedOneOnlyInRunDirAndData() {
    SftConfig shipped = YamlConfig.read(Path.of("../configs/sft-genprm-tiny.yaml"), SftConfig.class);
    for (String ablation : List.of("rpe", "analyze")) {
      SftConfig other = YamlConfig.read(Path.of("../configs/sft-genprm-tiny-" + ablation + ".yaml"), SftConfig.class);
      assertEquals("runs/sft-genprm-tiny-" + ablation, other.runDir());
      assertEquals(shipped.seed(), other.seed(), ablation);
      assertEquals(shipped.model(), other.model(), ablation);
      assertEquals(shipped.train(), other.train(), ablation);
      assertEquals(shipped.data().maxLength(), other.data().maxLength(), ablation);
      assertTrue(other.data().train().startsWith("runs/synth-genprm-tiny/sft-"), other.data().train());
    }
  }

  @Test
  void theRepairConfigContinuesTheCriticOnRepairedDataAtALowerRate() {
    SftConfig shipped = YamlConfig.read(Path.of("../configs/sft-genprm-tiny.yaml"), SftConfig.class);
    SftConfig repair = YamlConfig.read(Path.of("../configs/sft-genprm-tiny-repair.yaml"), SftConfig.class);
    assertEquals("runs/genprm-tiny-token", repair.model().from());
    assertEquals(shipped.model().tokenizer(), repair.model().tokenizer());
    assertEquals(shipped.data().maxLength(), repair.data().maxLength());
    assertTrue(repair.data().train().startsWith("runs/synth-genprm-tiny-repair/"), repair.data().train());
    assertEquals(shipped.train().batchSize(), repair.train().batchSize());
    assertTrue(repair.train().lr() < shipped.train().lr() && repair.train().maxSteps() < shipped.train().maxSteps());
  }

  @Test
  void configErrorsNameTheKey() throws IOException {
    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "run_dir: x\nmodel: {architecture: {hidden_size: 8, intermediate_size: 8, num_hidden_layers: 1, "
        + "num_attention_heads: 2, vocab_size: 10}}\ndata: {train: t.jsonl}\ntrain: {batch_size: 2, max_steps: 1, lr: 0.1, lr_warmup: 3}\n");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> YamlConfig.read(bad, SftConfig.class));
    assertTrue(e.getMessage().contains("unknown key 'train.lr_warmup'"), e.getMessage());

    Files.writeString(bad, "run_dir: x\nmodel: {from: m}\ndata: {train: t.jsonl}\ntrain: {batch_size: two, max_steps: 1, lr: 0.1}\n");
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> YamlConfig.read(bad, SftConfig.class));
    assertTrue(e.getMessage().contains("'train.batch_size' expects an integer"), e.getMessage());

    Files.writeString(bad, "run_dir: x\nmodel: {from: m}\ndata: {train: t.jsonl}\ntrain: {batch_size: 2, max_steps: 1, lr: -1}\n");
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> YamlConfig.read(bad, SftConfig.class));
    assertTrue(e.getMessage().contains("'train.lr' must be a positive number"), e.getMessage());
  }
}
