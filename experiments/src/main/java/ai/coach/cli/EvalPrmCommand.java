package ai.coach.cli;

import ai.coach.critic.Critic;
import ai.coach.critic.CriticConfig;
import ai.coach.critic.CriticMode;
import ai.coach.critic.SandboxCodeExecutor;
import ai.coach.critic.CriticPrompts;
import ai.coach.lm.Checkpoint;
import ai.coach.lm.TensorStore;
import ai.coach.prm.MetricsReport;
import ai.coach.prm.PrmEvaluation;
import ai.coach.prm.ProcessBench;
import ai.coach.prm.ProcessBenchSubset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coach eval-prm}: critique ProcessBench items with a GenPRM checkpoint and score them. */
@Command(
    name = "eval-prm",
    mixinStandardHelpOptions = true,
    description = "Evaluate a generative PRM on ProcessBench-format data: DIR/predictions.jsonl and DIR/metrics.json."
        + " An interrupted run resumes from its predictions file.")
public final class EvalPrmCommand implements Callable<Integer> {

  @Option(names = "--critic", required = true, description = "Critic checkpoint directory (Qwen2 family, with tokenizer and chat template).")
  Path critic;

  @Option(names = "--data", required = true, description = "ProcessBench JSON or JSONL file; one subset per file (repeatable).")
  List<Path> data = new ArrayList<>();

  @Option(names = "--mode", defaultValue = "full", description = "full (analyze, verify with code, judge), analyze, or direct.")
  String mode;

  @Option(names = "--samples", defaultValue = "1", description = "Critique samples per step (K); the step reward is their mean.")
  int samples;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Option(names = "--limit", description = "Only the first N items of each file.")
  Integer limit;

  @Option(names = "--out", required = true, description = "Output directory.")
  Path out;

  @Option(names = "--threshold", defaultValue = "" + CriticConfig.DEFAULT_THRESHOLD,
      description = "A step whose reward is below this is flagged (default ${DEFAULT-VALUE}: an even split of votes passes).")
  double threshold;

  @Option(names = "--budget", defaultValue = "2048", description = "Tokens per step critique before falling back to a direct judgement.")
  int budget;

  @Option(names = "--temperature", defaultValue = "0.6")
  double temperature;

  @Option(names = "--top-p", defaultValue = "0.95")
  double topP;

  @Option(names = "--top-k", defaultValue = "20")
  int topK;

  @Option(names = "--batch", defaultValue = "16", description = "Items critiqued as one batched workload (and written together).")
  int batch;

  @Option(names = "--code-timeout", defaultValue = "5", description = "Seconds one verification snippet may run.")
  double codeTimeout;

  @Option(names = "--prompts", description = "YAML with other protocol texts (default: GenPRM's).")
  Path prompts;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @Option(names = "--dtype", defaultValue = "float32", description = "Compute dtype: float32 (CPU default), float16, bfloat16.")
  String dtype;

  @Override
  public Integer call() throws Exception {
    CriticMode criticMode = CriticMode.parse(mode);
    if (limit != null && limit < 0) throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
    CriticConfig config = new CriticConfig(criticMode, samples, temperature, topP, topK, budget,
        CriticConfig.DEFAULTS.maxCodeRounds(), CriticConfig.DEFAULTS.fallbackTokens(), threshold, seed,
        Math.max(1, batch), CriticConfig.DEFAULTS.codeThreads());
    List<ProcessBenchSubset> subsets = new ArrayList<>();
    for (ProcessBenchSubset s : ProcessBench.readAll(data)) subsets.add(limit == null ? s : s.limit(limit));
    CriticPrompts texts = prompts == null ? CriticPrompts.genprm() : CriticPrompts.load(prompts);

    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("critic", critic.toAbsolutePath().normalize().toString());
    settings.put("critic_sha256", TensorStore.sha256(critic));
    settings.put("mode", criticMode.cliName());
    settings.put("samples", samples);
    settings.put("seed", seed);
    settings.put("budget", budget);
    settings.put("temperature", temperature);
    settings.put("top_p", topP);
    settings.put("top_k", topK);
    settings.put("prompts", texts);

    try (SandboxCodeExecutor executor = criticMode == CriticMode.FULL ? SandboxCodeExecutor.open(codeTimeout) : null;
        Checkpoint ckpt = Checkpoint.load(critic, dataType());
        Critic prm = new Critic(ckpt.model(), ckpt.tokenizer(), ckpt.chatTemplate(), ckpt.eosIds(), executor, texts, config)) {
      MetricsReport report = new PrmEvaluation(prm::critique, batch, threshold, !noProgress).run(subsets, out, settings);
      System.err.println("critic: " + prm.stats().summary());
      System.out.println(LmCommand.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
      return 0;
    }
  }

  private DataType dataType() {
    LmCommand.ModelOptions options = new LmCommand.ModelOptions();
    options.dtype = dtype;
    return options.dataType();
  }
}
