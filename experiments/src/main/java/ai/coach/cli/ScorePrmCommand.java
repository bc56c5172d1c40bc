package ai.coach.cli;

import ai.coach.critic.CriticConfig;
import ai.coach.prm.PrmMetrics;
import ai.coach.prm.ProcessBench;
import ai.coach.prm.ProcessBenchSubset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coach score-prm}: ProcessBench metrics of step rewards predicted earlier, by any PRM. */
@Command(
    name = "score-prm",
    mixinStandardHelpOptions = true,
    description = "Score step-reward predictions (JSON lines {\"id\", \"step_rewards\"}) against ProcessBench-format data.")
public final class ScorePrmCommand implements Callable<Integer> {

  @Option(names = "--data", required = true, description = "ProcessBench JSON or JSONL file; one subset per file (repeatable).")
  List<Path> data = new ArrayList<>();

  @Option(names = "--predictions", required = true, description = "predictions.jsonl")
  Path predictions;

  @Option(names = "--threshold", defaultValue = "" + CriticConfig.DEFAULT_THRESHOLD,
      description = "A step whose reward is below this is flagged (default ${DEFAULT-VALUE}: an even split of votes passes).")
  double threshold;

  @Option(names = "--limit", description = "Only the first N items of each file (as eval-prm --limit).")
  Integer limit;

  @Option(names = "--baseline", description = "Another PRM's predictions for the same items: adds both reports and, per subset, "
      + "the F1 difference with a paired bootstrap 95% interval.")
  Path baseline;

  @Override
  public Integer call() throws Exception {
    if (!(threshold >= 0 && threshold <= 1)) throw new IllegalArgumentException("--threshold must be in [0, 1], got " + threshold);
    List<ProcessBenchSubset> subsets = new ArrayList<>();
    for (ProcessBenchSubset s : ProcessBench.readAll(data)) subsets.add(limit == null ? s : s.limit(limit));
    Object out = baseline == null ? PrmMetrics.score(subsets, predictions, threshold) : PrmMetrics.compare(subsets, predictions, baseline, threshold);
    System.out.println(LmCommand.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
    return 0;
  }
}
