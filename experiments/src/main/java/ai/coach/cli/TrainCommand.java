package ai.coach.cli;

import ai.coach.train.SftConfig;
import ai.coach.train.SftTrainer;
import ai.coach.config.YamlConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coach train ...}: train models in the JVM. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train models on ND4J.",
    subcommands = {TrainCommand.Sft.class})
public final class TrainCommand implements Runnable {

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  @Command(name = "sft", mixinStandardHelpOptions = true,
      description = "Supervised fine-tuning on response tokens; resumes from the run directory's newest checkpoint.")
  static final class Sft implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "YAML config (see configs/sft-policy-tiny.yaml).")
    Path config;

    @Option(names = "--no-progress", description = "No progress bar (metrics still go to run_dir/metrics.jsonl).")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
      SftConfig cfg = YamlConfig.read(config, SftConfig.class);
      SftTrainer.Result r = new SftTrainer(cfg, !noProgress).run();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("steps", r.steps());
      out.put("train_loss", r.lastLoss());
      out.put("dev_loss", r.devLoss());
      out.put("dev_accuracy", r.devAccuracy());
      out.put("model", r.finalModel().toString());
      out.put("seconds", r.seconds());
      System.out.println(LmCommand.JSON.writeValueAsString(out));
      return 0;
    }
  }
}
