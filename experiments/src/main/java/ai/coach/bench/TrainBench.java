package ai.coach.bench;

import ai.coach.lm.ModelConfig;
import ai.coach.train.AdamW;
import ai.coach.train.MaskedCrossEntropy;
import ai.coach.train.ParameterSet;
import ai.coach.train.TokenBatch;
import ai.coach.train.TrainableQwen2;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Training throughput of the ND4J trainer and of PyTorch on the same model and batch: one
 * optimizer step is forward, LM head and cross-entropy at the scored positions (t >= length/4),
 * backward, global-norm clipping at 1.0 and AdamW. Tokens/s counts every input position.
 */
public final class TrainBench {

  /** Median step time and the tokens/s it gives. */
  public record Result(double tokensPerS, double stepSeconds, List<Double> steps, Map<String, Object> details) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ModelConfig model;
  private final int rows;
  private final int length;
  private final int steps;
  private final int warmup;

  public TrainBench(ModelConfig model, int rows, int length, int steps, int warmup) {
    this.model = model;
    this.rows = rows;
    this.length = length;
    this.steps = steps;
    this.warmup = warmup;
  }

  public Result java() {
    Random r = new Random(0);
    int n = rows * length;
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) ids[i] = r.nextInt(model.vocabSize());
    int[] targets = new int[n];
    float[] mask = new float[n];
    for (int b = 0; b < rows; b++) {
      for (int t = 0; t < length; t++) {
        int p = b * length + t;
        targets[p] = ids[b * length + (t + 1) % length];
        mask[p] = t >= length / 4 && t < length - 1 ? 1f : 0f;
      }
    }
    TokenBatch batch = TokenBatch.supervised(rows, length, ids, targets, mask);
    MaskedCrossEntropy loss = new MaskedCrossEntropy();
    List<Double> times = new ArrayList<>();
    try (TrainableQwen2 m = TrainableQwen2.initialize(model, DataType.FLOAT, 0, 0.02);
        AdamW opt = new AdamW(m.params(), 0.9, 0.95, 1e-8, 0.1)) {
      ParameterSet p = m.params();
      for (int i = 0; i < warmup + steps; i++) {
        long t0 = System.nanoTime();
        p.zeroGrad();
        m.forwardBackward(batch, loss, 1.0);
        double norm = p.grads().norm2Number().doubleValue();
        if (norm > 1.0) p.grads().muli(1.0 / norm);
        opt.step(1e-3);
        if (i >= warmup) times.add((System.nanoTime() - t0) / 1e9);
      }
    }
    double med = median(times);
    return new Result(n / med, med, times, Map.of());
  }

  /**
   * {@link #java} in a child JVM ({@code bench train --worker}) with OMP_NUM_THREADS set, since
   * ND4J fixes its thread count when it loads.
   */
  public Result javaInChild(Path config, int rows, int length, int threads) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = List.of(java, "-Xmx8g", "-cp", System.getProperty("java.class.path"), "ai.coach.cli.Main", "bench", "train",
        "--worker", "--config", config.toString(), "--batch", String.valueOf(rows), "--seq-len", String.valueOf(length),
        "--steps", String.valueOf(steps), "--warmup", String.valueOf(warmup));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) throw new IllegalStateException("ND4J bench worker exited with " + p.exitValue() + ": " + out);
    JsonNode j = JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
    List<Double> times = new ArrayList<>();
    j.path("steps").forEach(t -> times.add(t.asDouble()));
    return new Result(j.path("tokensPerS").asDouble(), j.path("stepSeconds").asDouble(), times, Map.of());
  }

  public Result torch(Path python, Path script, int threads) throws IOException, InterruptedException {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("hidden_size", model.hiddenSize());
    spec.put("intermediate_size", model.intermediateSize());
    spec.put("num_hidden_layers", model.numLayers());
    spec.put("num_attention_heads", model.numHeads());
    spec.put("num_key_value_heads", model.numKvHeads());
    spec.put("vocab_size", model.vocabSize());
    spec.put("max_position_embeddings", model.maxPositions());
    spec.put("rope_theta", model.ropeTheta());
    spec.put("rms_norm_eps", model.rmsNormEps());
    spec.put("tie_word_embeddings", model.tieWordEmbeddings());
    if (!Files.isRegularFile(python)) {
      throw new IllegalArgumentException(python + ": no Python with torch (bin/coach bench installs python/requirements-bench.txt)");
    }
    List<String> cmd = List.of(python.toString(), script.toString(), "--spec", JSON.writeValueAsString(spec),
        "--threads", String.valueOf(threads), "--batch", String.valueOf(rows), "--seq-len", String.valueOf(length),
        "--steps", String.valueOf(steps), "--warmup", String.valueOf(warmup));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    int code = p.waitFor();
    if (code != 0) throw new IllegalStateException(script + " exited with " + code);
    String last = out.substring(out.lastIndexOf('\n') + 1);
    JsonNode j = JSON.readTree(last);
    List<Double> times = new ArrayList<>();
    j.path("step_s").forEach(t -> times.add(t.asDouble()));
    Map<String, Object> details = new LinkedHashMap<>();
    for (String k : List.of("torch", "transformers", "attention", "threads")) details.put(k, j.path(k).asText());
    return new Result(j.path("tokens_per_s").asDouble(), j.path("step_s_median").asDouble(), times, details);
  }

  /** The 1-, 5- and 15-minute load averages: how far a timing on a shared machine can be trusted. */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
