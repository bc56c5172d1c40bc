package ai.coach.prm;

import ai.coach.config.RunSettings;
import ai.coach.critic.CritiqueRequest;
import ai.coach.critic.CritiqueResult;
import ai.coach.progress.Progress;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import me.tongfei.progressbar.ProgressBar;

/**
 * Runs a PRM over ProcessBench subsets into {@code DIR/predictions.jsonl} and scores it into
 * {@code DIR/metrics.json}. Each finished batch is appended and flushed, so an interrupted run
 * started again with the same directory only critiques the items not yet in the file. The run's
 * settings are kept in {@code DIR/run.json}; resuming with other settings is refused rather than
 * mixing predictions of two configurations.
 */
public final class PrmEvaluation {

  public static final String PREDICTIONS = "predictions.jsonl";
  public static final String METRICS = "metrics.json";
  public static final String RUN = "run.json";

  private final Function<List<CritiqueRequest>, List<CritiqueResult>> critic;
  private final int batchSize;
  private final double threshold;
  private final boolean progressBar;

  /**
   * @param critic turns a batch of requests into results in the same order
   * @param batchSize items critiqued together (one engine workload) and written together
   */
  public PrmEvaluation(Function<List<CritiqueRequest>, List<CritiqueResult>> critic, int batchSize, double threshold, boolean progressBar) {
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    this.critic = critic;
    this.batchSize = batchSize;
    this.threshold = threshold;
    this.progressBar = progressBar;
  }

  /** Critiques what is missing from {@code outDir}, then writes and returns the metrics. */
  public MetricsReport run(List<ProcessBenchSubset> subsets, Path outDir, Map<String, Object> settings) throws IOException {
    Files.createDirectories(outDir);
    RunSettings.keepOrCheck(outDir.resolve(RUN), settings);
    Path predictions = outDir.resolve(PREDICTIONS);
    Predictions.Contents done = Predictions.read(predictions, true);
    if (done.truncatedTail()) {
      // Drop the half-written line of the interrupted run before appending after it.
      Files.writeString(predictions, done.lines().isEmpty() ? "" : String.join("\n", done.lines()) + "\n", StandardCharsets.UTF_8);
    }
    List<String> todoSubset = new ArrayList<>();
    List<CritiqueRequest> todo = new ArrayList<>();
    int total = 0;
    for (ProcessBenchSubset s : subsets) {
      for (ProcessBenchItem item : s.items()) {
        total++;
        if (done.rewards().containsKey(item.id())) continue;
        todoSubset.add(s.name());
        todo.add(new CritiqueRequest(item.id(), item.problem(), item.steps()));
      }
    }
    try (BufferedWriter out = Files.newBufferedWriter(predictions, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProgressBar bar = progressBar ? Progress.resumed("eval-prm", total, total - todo.size(), " items") : null) {
      for (int from = 0; from < todo.size(); from += batchSize) {
        int to = Math.min(todo.size(), from + batchSize);
        List<CritiqueResult> results = critic.apply(todo.subList(from, to));
        if (results.size() != to - from) throw new IllegalStateException("critic returned " + results.size() + " results for " + (to - from) + " requests");
        for (int i = from; i < to; i++) {
          CritiqueResult r = results.get(i - from);
          if (!r.id().equals(todo.get(i).id())) throw new IllegalStateException("critic returned '" + r.id() + "' for '" + todo.get(i).id() + "'");
          out.write(Predictions.line(todoSubset.get(i), r));
          out.write('\n');
        }
        out.flush();
        if (bar != null) bar.stepBy(to - from);
      }
    }
    MetricsReport report = PrmMetrics.score(subsets, predictions, threshold);
    RunSettings.writeAtomically(outDir.resolve(METRICS), Predictions.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
    return report;
  }
}
