package ai.coach.cli;

import ai.coach.bench.LmBench;
import ai.coach.bench.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coach bench lm}: engine prefill/decode tokens/s against transformers on PyTorch CPU. */
@Command(name = "lm", mixinStandardHelpOptions = true,
    description = "Prefill and decode tokens/s at batch 1 and 8 on a tiny and a ~0.1B Qwen2, ND4J engine vs PyTorch.")
public final class BenchLmCommand implements Callable<Integer> {

  @Option(names = "--models", split = ",", defaultValue = "tiny,qwen2-0.1b", description = "Bench checkpoints to run.")
  List<String> models;

  @Option(names = "--batches", split = ",", defaultValue = "1,8")
  List<Integer> batches;

  @Option(names = "--prompt-len", defaultValue = "128")
  int promptLen;

  @Option(names = "--new-tokens", defaultValue = "64")
  int newTokens;

  @Option(names = "--threads", description = "Threads for both sides (default: all cores).")
  Integer threads;

  @Option(names = "--worker", hidden = true, description = "Internal: measure the engine on this model in this process.")
  Path worker;

  @Option(names = "--batch", hidden = true, defaultValue = "1")
  int batch;

  @Override
  public Integer call() throws Exception {
    Path root = Path.of(System.getProperty("coach.root", "."));
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    LmBench bench = new LmBench(root, t, promptLen, newTokens);
    if (worker != null) {
      System.out.println(LmCommand.JSON.writeValueAsString(bench.measure(worker, batch)));
      return 0;
    }
    Path dir = bench.ensureModels();
    System.out.println("machine: " + Machine.describe());
    System.out.printf("threads: %d (OMP_NUM_THREADS for ND4J and OpenBLAS; torch.set_num_threads), OMP_WAIT_POLICY=%s,"
        + " prompt %d tokens, %d new tokens, fp32%n", t, System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset"), promptLen, newTokens);
    System.out.printf("%-11s %5s | %12s %12s %6s | %12s %12s %6s | %9s %9s%n",
        "model", "batch", "prefill ND4J", "PyTorch", "ratio", "decode ND4J", "PyTorch", "ratio", "RSS ND4J", "PyTorch");
    List<String> missing = new ArrayList<>();
    for (String m : models) {
      Path modelDir = dir.resolve(m);
      if (!Files.isDirectory(modelDir)) {
        missing.add(m);
        continue;
      }
      for (int b : batches) {
        LmBench.Result j = bench.java(modelDir, b);
        LmBench.Result p = bench.torch(modelDir, b);
        System.out.printf("%-11s %5d | %10.0f/s %10.0f/s %5.2fx | %10.1f/s %10.1f/s %5.2fx | %6d MiB %6d MiB%n",
            m, b, j.prefillTokS(), p.prefillTokS(), j.prefillTokS() / p.prefillTokS(),
            j.decodeTokS(), p.decodeTokS(), j.decodeTokS() / p.decodeTokS(), j.peakRssMb(), p.peakRssMb());
      }
    }
    if (!missing.isEmpty()) throw new IllegalArgumentException("no bench checkpoint named " + missing + " in " + dir);
    System.out.println("ratio > 1 means the ND4J engine is faster.");
    return 0;
  }
}
