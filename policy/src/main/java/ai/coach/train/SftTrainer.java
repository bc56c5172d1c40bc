package ai.coach.train;

import ai.coach.lm.Checkpoint;
import ai.coach.lm.ModelConfig;
import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervised fine-tuning of a Qwen2 model on response tokens.
 *
 * <p>The run directory holds {@code metrics.jsonl} (one line per logged step and per dev
 * evaluation), {@code checkpoints/step-N/} (a Hugging Face model directory plus
 * {@code optimizer.safetensors} and {@code trainer_state.json}) and, at the end, {@code final/},
 * a model directory the engine loads. Starting a run whose directory has checkpoints resumes
 * from the newest one with the same weights, optimizer moments, step and data position, so the
 * resumed run continues bit for bit as if it had not stopped.
 */
public final class SftTrainer {

  private static final Logger log = LoggerFactory.getLogger(SftTrainer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TOKENIZER_FILES = List.of(
      "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt",
      "added_tokens.json", "generation_config.json");

  /** Summary of a finished run. */
  public record Result(long steps, double lastLoss, Double devLoss, Double devAccuracy, Path finalModel, double seconds) {}

  private final SftConfig config;
  private final boolean progress;
  private final Path runDir;

  /** @param progress whether to draw a progress bar on stderr */
  public SftTrainer(SftConfig config, boolean progress) {
    this.config = config;
    this.progress = progress;
    this.runDir = Path.of(config.runDir());
  }

  public Result run() throws IOException {
    long start = System.nanoTime();
    SftConfig.Model mc = config.model();
    Path tokenizerDir = mc.tokenizer() == null ? null : Path.of(mc.tokenizer());
    Files.createDirectories(runDir);
    Path latest = latestCheckpoint();
    try (Tokenizer tokenizer = tokenizerDir == null ? null : Tokenizer.load(tokenizerDir);
        TrainableQwen2 model = createModel(latest, tokenizer, tokenizerDir)) {
      ChatTemplate template = tokenizerDir == null ? null : ChatTemplate.load(tokenizerDir);
      SftConfig.Data dc = config.data();
      int vocab = model.config().vocabSize();
      List<SftData.Example> train = SftData.read(Path.of(dc.train()), tokenizer, template, dc.systemPrompt(), dc.maxLength(), vocab);
      List<SftData.Example> dev = dc.dev() == null ? List.of()
          : SftData.read(Path.of(dc.dev()), tokenizer, template, dc.systemPrompt(), dc.maxLength(), vocab);
      log.info("{} training examples, {} dev examples, {} parameters", train.size(), dev.size(), model.params().size());
      return loop(model, train, dev, latest, tokenizerDir, start);
    }
  }

  private TrainableQwen2 createModel(Path latest, Tokenizer tokenizer, Path tokenizerDir) throws IOException {
    if (latest != null) {
      log.info("resuming from {}", latest);
      return TrainableQwen2.load(latest, DataType.FLOAT);
    }
    SftConfig.Model mc = config.model();
    if (mc.from() != null) return TrainableQwen2.load(Path.of(mc.from()), DataType.FLOAT, mc.maxPositionEmbeddings());
    List<Integer> eos = new ArrayList<>();
    String eosToken = tokenizerDir == null ? null : eosToken(tokenizerDir);
    if (eosToken != null && tokenizer != null) eos.add(tokenizer.singleTokenId(eosToken));
    ModelConfig c = mc.architecture().toModelConfig(eos);
    return TrainableQwen2.initialize(c, DataType.FLOAT, config.seed(), mc.initStd());
  }

  private static String eosToken(Path tokenizerDir) throws IOException {
    Path file = tokenizerDir.resolve("tokenizer_config.json");
    if (!Files.isRegularFile(file)) return null;
    JsonNode t = JSON.readTree(file.toFile()).path("eos_token");
    if (t.isObject()) return t.path("content").asText(null);
    return t.isTextual() ? t.asText() : null;
  }

  private Result loop(TrainableQwen2 model, List<SftData.Example> train, List<SftData.Example> dev, Path latest,
      Path tokenizerDir, long start) throws IOException {
    SftConfig.Train tc = config.train();
    ParameterSet params = model.params();
    TokenLoss loss = new MaskedCrossEntropy();
    LrSchedule schedule = new LrSchedule(tc.lr(), tc.warmupSteps(), tc.maxSteps(), tc.minLrRatio());
    BatchPlan plan = new BatchPlan(train, tc.batchSize(), config.seed());
    long step = 0;
    try (AdamW opt = new AdamW(params, tc.beta1(), tc.beta2(), tc.eps(), tc.weightDecay())) {
      if (latest != null) {
        JsonNode state = JSON.readTree(latest.resolve("trainer_state.json").toFile());
        step = state.path("step").asLong();
        plan.seek(state.path("epoch").asInt(), state.path("cursor").asInt());
        opt.load(latest.resolve("optimizer.safetensors"), state.path("optimizer_steps").asLong());
        truncateMetrics(step);
      }
      double lastLoss = Double.NaN;
      Double devLoss = null;
      Double devAccuracy = null;
      double windowLoss = 0;
      long windowTokens = 0;
      long windowScored = 0;
      int windowSteps = 0;
      long windowStart = System.nanoTime();
      try (BufferedWriter metrics = Files.newBufferedWriter(runDir.resolve("metrics.jsonl"), StandardCharsets.UTF_8,
              StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          ProgressBar bar = progress ? progressBar(step, tc.maxSteps()) : null) {
        while (step < tc.maxSteps()) {
          step++;
          params.zeroGrad();
          double stepLoss = 0;
          for (int a = 0; a < tc.gradAccum(); a++) {
            TokenBatch batch = plan.next();
            stepLoss += model.forwardBackward(batch, loss, 1.0 / tc.gradAccum()).loss() / tc.gradAccum();
            windowTokens += (long) batch.rows() * batch.length();
            windowScored += batch.scored().length;
          }
          double norm = params.grads().norm2Number().doubleValue();
          if (!Double.isFinite(norm) || !Double.isFinite(stepLoss)) {
            throw new IllegalStateException("step " + step + ": loss " + stepLoss + ", gradient norm " + norm
                + " (diverged; lower train.lr or raise train.warmup_steps)");
          }
          if (tc.gradClip() > 0 && norm > tc.gradClip()) params.grads().muli(tc.gradClip() / norm);
          double lr = schedule.at(step);
          opt.step(lr);
          lastLoss = stepLoss;
          windowLoss += stepLoss;
          windowSteps++;
          if (step % tc.logEvery() == 0 || step == tc.maxSteps()) {
            double secs = (System.nanoTime() - windowStart) / 1e9;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", step);
            m.put("epoch", plan.epoch());
            m.put("lr", lr);
            m.put("loss", windowLoss / windowSteps);
            m.put("grad_norm", norm);
            // Positions computed, padding included: what the hardware did, comparable across runs.
            m.put("tokens_per_s", windowTokens / secs);
            m.put("scored_tokens", windowScored);
            m.put("elapsed_s", (System.nanoTime() - start) / 1e9);
            writeLine(metrics, m);
            windowLoss = 0;
            windowSteps = 0;
            windowTokens = 0;
            windowScored = 0;
            windowStart = System.nanoTime();
          }
          boolean last = step == tc.maxSteps();
          if (!dev.isEmpty() && ((tc.evalEvery() > 0 && step % tc.evalEvery() == 0) || last)) {
            devLoss = devLoss(model, dev, tc.batchSize(), tc.devBatches());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", step);
            m.put("dev_loss", devLoss);
            if (tc.evalSamples() > 0) {
              devAccuracy = devAccuracy(model, dev, tokenizerDir);
              m.put("dev_accuracy", devAccuracy);
            }
            writeLine(metrics, m);
            log.info("step {}: {}", step, m);
          }
          if (tc.saveEvery() > 0 && step % tc.saveEvery() == 0 && !last) {
            metrics.flush();
            saveCheckpoint(model, opt, plan, step, tokenizerDir);
          }
          if (evaluatedOrSaved(step, last, dev.isEmpty())) windowStart = System.nanoTime();
          if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format("loss %.4f", stepLoss));
          }
        }
      }
      Path finalDir = runDir.resolve("final");
      saveModel(model, finalDir, tokenizerDir);
      if (tc.saveEvery() > 0) saveCheckpoint(model, opt, plan, step, tokenizerDir);
      return new Result(step, lastLoss, devLoss, devAccuracy, finalDir, (System.nanoTime() - start) / 1e9);
    }
  }

  /** Whether this step ran a dev evaluation or saved a checkpoint, time the throughput window leaves out. */
  private boolean evaluatedOrSaved(long step, boolean last, boolean noDev) {
    SftConfig.Train tc = config.train();
    boolean eval = !noDev && ((tc.evalEvery() > 0 && step % tc.evalEvery() == 0) || last);
    boolean save = tc.saveEvery() > 0 && step % tc.saveEvery() == 0 && !last;
    return eval || save;
  }

  private static ProgressBar progressBar(long step, int max) {
    return new ProgressBarBuilder()
        .setTaskName("sft")
        .setInitialMax(max)
        .startsFrom(step, java.time.Duration.ZERO)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(500)
        .build();
  }

  /** Mean cross-entropy per response token over the first {@code maxBatches} dev batches, in file order. */
  static double devLoss(TrainableQwen2 model, List<SftData.Example> dev, int batchSize, int maxBatches) {
    double sum = 0;
    double count = 0;
    for (int b = 0; b < maxBatches && b * batchSize < dev.size(); b++) {
      TokenBatch batch = BatchPlan.toBatch(dev.subList(b * batchSize, Math.min(dev.size(), (b + 1) * batchSize)));
      double[] lp = model.targetLogProbs(batch);
      int[] scored = batch.scored();
      for (int j = 0; j < scored.length; j++) {
        sum -= batch.mask()[scored[j]] * lp[j];
        count += batch.mask()[scored[j]];
      }
    }
    return count == 0 ? Double.NaN : sum / count;
  }

  /**
   * Greedy accuracy on the first {@code eval_samples} dev examples with an answer: the model is
   * written out and run by the inference engine, exactly as it will be used.
   */
  private double devAccuracy(TrainableQwen2 model, List<SftData.Example> dev, Path tokenizerDir) throws IOException {
    List<SftData.Example> withAnswers = dev.stream().filter(e -> e.answer() != null).limit(config.train().evalSamples()).toList();
    if (withAnswers.isEmpty()) throw new IllegalArgumentException("train.eval_samples is set but no dev example has an 'answer'");
    if (tokenizerDir == null) throw new IllegalArgumentException("train.eval_samples needs a tokenizer to read the generations");
    Path dir = runDir.resolve("eval-model");
    deleteTree(dir);
    saveModel(model, dir, tokenizerDir);
    List<AnswerAccuracy.Problem> problems = withAnswers.stream()
        .map(e -> new AnswerAccuracy.Problem(Arrays.copyOf(e.ids(), e.promptLength()), e.answer())).toList();
    double accuracy;
    try (Checkpoint ckpt = Checkpoint.load(dir, DataType.FLOAT)) {
      accuracy = AnswerAccuracy.evaluate(ckpt, problems, 1, 0.0, 0, config.train().evalMaxNewTokens(),
          config.train().batchSize()).accuracy();
    }
    deleteTree(dir);
    return accuracy;
  }

  private void saveCheckpoint(TrainableQwen2 model, AdamW opt, BatchPlan plan, long step, Path tokenizerDir)
      throws IOException {
    Path dir = runDir.resolve("checkpoints").resolve(String.format("step-%08d", step));
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
    deleteTree(tmp);
    saveModel(model, tmp, tokenizerDir);
    opt.save(tmp.resolve("optimizer.safetensors"));
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("step", step);
    state.put("optimizer_steps", opt.steps());
    state.put("epoch", plan.epoch());
    state.put("cursor", plan.cursor());
    state.put("seed", config.seed());
    JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("trainer_state.json").toFile(), state);
    deleteTree(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    List<Path> all = checkpoints();
    for (int i = 0; i + config.train().keepCheckpoints() < all.size(); i++) deleteTree(all.get(i));
  }

  private static void saveModel(TrainableQwen2 model, Path dir, Path tokenizerDir) throws IOException {
    model.save(dir);
    if (tokenizerDir == null) return;
    for (String name : TOKENIZER_FILES) {
      Path f = tokenizerDir.resolve(name);
      if (Files.isRegularFile(f)) Files.copy(f, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private List<Path> checkpoints() throws IOException {
    Path dir = runDir.resolve("checkpoints");
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("step-\\d+"))
          .filter(p -> Files.isRegularFile(p.resolve("trainer_state.json")))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    }
  }

  private Path latestCheckpoint() throws IOException {
    List<Path> all = checkpoints();
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  /** Drops metric lines past the resumed step, which a crashed run may have written. */
  private void truncateMetrics(long step) throws IOException {
    Path file = runDir.resolve("metrics.jsonl");
    if (!Files.isRegularFile(file)) return;
    List<String> kept = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank() && JSON.readTree(line).path("step").asLong() <= step) kept.add(line);
    }
    Files.write(file, kept);
  }

  private static void writeLine(BufferedWriter w, Map<String, Object> m) {
    try {
      w.write(JSON.writeValueAsString(m));
      w.newLine();
      w.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
    }
  }
}
