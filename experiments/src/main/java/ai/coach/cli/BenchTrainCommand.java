package ai.coach.cli;

import ai.coach.bench.Machine;
import ai.coach.bench.TrainBench;
import ai.coach.train.SftConfig;
import ai.coach.config.YamlConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coach bench train}: SFT step throughput, ND4J trainer vs PyTorch on the CPU. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Training tokens/s of the ND4J trainer and of PyTorch (CPU) on the same model and batch.")
public final class BenchTrainCommand implements Callable<Integer> {

  @Option(names = "--config", defaultValue = "configs/sft-policy-tiny.yaml",
      description = "SFT config whose architecture, batch_size and max_length are measured.")
  Path config;

  @Option(names = "--batch", description = "Sequences per step (default: the config's train.batch_size).")
  Integer batch;

  @Option(names = "--seq-len", description = "Tokens per sequence (default: the config's data.max_length).")
  Integer seqLen;

  @Option(names = "--steps", defaultValue = "10", description = "Timed steps per side.")
  int steps;

  @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first.")
  int warmup;

  @Option(names = "--rounds", defaultValue = "3",
      description = "Alternate the two sides this many times and report each side's best round (the machine may be shared).")
  int rounds;

  @Option(names = "--threads", description = "Threads for both sides: OMP_NUM_THREADS of the ND4J child JVM, torch.set_num_threads (default: all cores).")
  Integer threads;

  @Option(names = "--worker", hidden = true, description = "Internal: measure the ND4J side in this process and print JSON.")
  boolean worker;

  @Option(names = "--python", description = "Python with torch (default: the project venv).")
  Path python;

  @Option(names = "--skip-torch", description = "Measure the ND4J side only.")
  boolean skipTorch;

  @Override
  public Integer call() throws Exception {
    Path root = Path.of(System.getProperty("coach.root", "."));
    Path cfgFile = config.isAbsolute() || config.toFile().exists() ? config : root.resolve(config);
    SftConfig cfg = YamlConfig.read(cfgFile, SftConfig.class);
    if (cfg.model().architecture() == null) {
      throw new IllegalArgumentException(cfgFile + ": bench train needs model.architecture (a model trained from scratch)");
    }
    int rows = batch != null ? batch : cfg.train().batchSize();
    int length = seqLen != null ? seqLen : cfg.data().maxLength();
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    var model = cfg.model().architecture().toModelConfig(List.of());
    TrainBench bench = new TrainBench(model, rows, length, steps, warmup);
    if (worker) {
      TrainBench.Result j = bench.java();
      System.out.println(LmCommand.JSON.writeValueAsString(j));
      return 0;
    }
    System.out.println("machine: " + Machine.describe() + ", load average " + TrainBench.loadAverage());
    System.out.printf("model: %s (hidden %d, %d layers, %d heads / %d kv, intermediate %d, vocab %d, tied %s), %,d parameters%n",
        cfgFile.getFileName(), model.hiddenSize(), model.numLayers(), model.numHeads(), model.numKvHeads(),
        model.intermediateSize(), model.vocabSize(), model.tieWordEmbeddings(), model.parameterCount());
    System.out.printf("threads: %d per side, OMP_WAIT_POLICY=%s (inherited by both child processes)%n",
        t, System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset"));
    System.out.printf("step: batch %d x %d tokens, fp32, CE on positions >= %d, clip 1.0, AdamW; %d warm-up + %d timed steps%n",
        rows, length, length / 4, warmup, steps);
    if (rounds < 1) throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
    Path py = python != null ? python : root.resolve(".venv/bin/python");
    TrainBench.Result bestJ = null;
    TrainBench.Result bestP = null;
    for (int r = 1; r <= rounds; r++) {
      TrainBench.Result j = bench.javaInChild(cfgFile, rows, length, t);
      System.out.printf("round %d  ND4J trainer: %8.0f tokens/s (median step %.3f s; OMP_NUM_THREADS=%d)%n", r, j.tokensPerS(), j.stepSeconds(), t);
      if (bestJ == null || j.tokensPerS() > bestJ.tokensPerS()) bestJ = j;
      if (skipTorch) continue;
      TrainBench.Result p = bench.torch(py, root.resolve("python/bench_train_torch.py"), t);
      System.out.printf("round %d  PyTorch:      %8.0f tokens/s (median step %.3f s; %s)%n", r, p.tokensPerS(), p.stepSeconds(), p.details());
      if (bestP == null || p.tokensPerS() > bestP.tokensPerS()) bestP = p;
    }
    System.out.printf("best ND4J trainer: %8.0f tokens/s%n", bestJ.tokensPerS());
    if (!skipTorch) {
      System.out.printf("best PyTorch:      %8.0f tokens/s%n", bestP.tokensPerS());
      System.out.printf("ratio ND4J / PyTorch: %.2fx (> 1 means the ND4J trainer is faster); load average now %s%n",
          bestJ.tokensPerS() / bestP.tokensPerS(), TrainBench.loadAverage());
    }
    return 0;
  }
}
