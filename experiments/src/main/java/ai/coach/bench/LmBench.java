package ai.coach.bench;

import ai.coach.lm.Generator;
import ai.coach.lm.Qwen2Model;
import ai.coach.lm.SamplingParams;
import ai.coach.lm.SequenceState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Prefill and decode throughput of the ND4J engine against transformers on PyTorch CPU, same
 * checkpoint, same batch, same thread count, in one run. Every configuration runs in a fresh
 * process of its own (a child JVM or Python), one after the other, so the two never share the
 * cores and each peak-memory figure belongs to that configuration alone.
 */
public final class LmBench {

  /** One measured configuration; tokens/s counts every sequence's tokens. */
  public record Result(String model, int batch, double prefillTokS, double decodeTokS, long peakRssMb) {}

  /** Timed runs per configuration on each side; the median is reported. */
  private static final int REPEATS = 3;

  private final Path root;
  private final int threads;
  private final int promptLen;
  private final int newTokens;

  public LmBench(Path root, int threads, int promptLen, int newTokens) {
    this.root = root;
    this.threads = threads;
    this.promptLen = promptLen;
    this.newTokens = newTokens;
  }

  /** Random-weight checkpoints made once by transformers (so both sides load the same files). */
  public Path ensureModels() throws IOException, InterruptedException {
    Path dir = root.resolve(".cache/bench-models");
    if (Files.isDirectory(dir.resolve("qwen2-0.1b")) && Files.isDirectory(dir.resolve("tiny"))) return dir;
    System.err.println("bench: creating random-weight checkpoints in " + dir);
    run(List.of(python().toString(), root.resolve("scripts/make_bench_models.py").toString(), "--out", dir.toString()));
    return dir;
  }

  private Path python() {
    return root.resolve(".venv/bin/python");
  }

  /** The ND4J engine in a child JVM (this class's {@link #measure} behind {@code bench lm --worker}). */
  public Result java(Path modelDir, int batch) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String out = run(List.of(
        java, "-Xmx8g", "-cp", System.getProperty("java.class.path"), "ai.coach.cli.Main", "bench", "lm",
        "--worker", modelDir.toString(), "--batch", String.valueOf(batch), "--prompt-len", String.valueOf(promptLen),
        "--new-tokens", String.valueOf(newTokens)));
    String[] lines = out.strip().split("\n");
    JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
    return new Result(j.path("model").asText(), batch, j.path("prefillTokS").asDouble(), j.path("decodeTokS").asDouble(),
        j.path("peakRssMb").asLong());
  }

  /** Measures the ND4J engine in this process. */
  public Result measure(Path modelDir, int batch) {
    try (Qwen2Model model = Qwen2Model.load(modelDir)) {
      List<int[]> prompts = prompts(batch, model.vocabSize());
      Generator generator = new Generator(model, null, Set.of());
      SamplingParams params = SamplingParams.greedy(newTokens);
      // Warm-up: JIT, ND4J workspaces and BLAS buffers reach their steady state.
      generator.generateAll(prompts, params.withMaxNewTokens(4));
      double[] prefill = new double[REPEATS];
      double[] decode = new double[REPEATS];
      for (int r = 0; r < REPEATS; r++) {
        List<SequenceState> states = new ArrayList<>();
        for (int i = 0; i < batch; i++) states.add(model.newSequence());
        long t0 = System.nanoTime();
        model.append(states, prompts);
        long t1 = System.nanoTime();
        generator.generate(states, params);
        long t2 = System.nanoTime();
        states.forEach(SequenceState::close);
        prefill[r] = (double) batch * promptLen / ((t1 - t0) / 1e9);
        decode[r] = (double) batch * newTokens / ((t2 - t1) / 1e9);
      }
      return new Result(modelDir.getFileName().toString(), batch, median(prefill), median(decode), Machine.peakRssMb());
    }
  }

  /** transformers on PyTorch CPU, in a child process with the same thread count. */
  public Result torch(Path modelDir, int batch) throws IOException, InterruptedException {
    String out = run(List.of(
        python().toString(), root.resolve("python/bench_lm_torch.py").toString(),
        "--model", modelDir.toString(), "--threads", String.valueOf(threads), "--batch", String.valueOf(batch),
        "--prompt-len", String.valueOf(promptLen), "--new-tokens", String.valueOf(newTokens), "--warmup", "1", "--repeats", String.valueOf(REPEATS)));
    String[] lines = out.strip().split("\n");
    JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
    return new Result(modelDir.getFileName().toString(), batch, j.path("prefill_tokens_per_s").asDouble(),
        j.path("decode_tokens_per_s").asDouble(), j.path("peak_rss_mb").asLong());
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    java.util.Arrays.sort(s);
    return s[s.length / 2];
  }

  private List<int[]> prompts(int batch, int vocab) {
    SplittableRandom random = new SplittableRandom(batch);
    List<int[]> prompts = new ArrayList<>();
    for (int b = 0; b < batch; b++) prompts.add(random.ints(promptLen, 0, vocab).toArray());
    return prompts;
  }

  /** Runs a child with this benchmark's thread count (ND4J and OpenBLAS both read OMP_NUM_THREADS). */
  private String run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) throw new IOException("benchmark step failed (exit " + p.exitValue() + "): " + String.join(" ", command));
    return out;
  }
}
