package ai.coach.cli;

import ai.coach.config.YamlConfig;
import ai.coach.synth.SynthConfig;
import ai.coach.synth.Synthesis;
import ai.coach.train.SftConfig;
import ai.coach.train.SftTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code coach synth [STAGE] --config FILE}: GenPRM data synthesis, then the critic's SFT. */
@Command(name = "synth", mixinStandardHelpOptions = true,
    description = "Synthesize GenPRM training data on the testbed and train the critic. Without a stage, runs "
        + "solutions, monte-carlo, labels, rationales, filter and train in order; every stage resumes from its files.")
public final class SynthCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", description = "One stage: solutions, monte-carlo, labels, rationales, filter or train.")
  String stage;

  @Option(names = "--config", required = true, description = "YAML config (see configs/synth-genprm-tiny.yaml).")
  Path config;

  @Option(names = "--no-progress", description = "No progress bars.")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    SynthConfig cfg = YamlConfig.read(config, SynthConfig.class);
    List<String> stages = new ArrayList<>(Synthesis.STAGES);
    stages.add("train");
    if (stage != null && !stages.contains(stage)) {
      throw new IllegalArgumentException("unknown stage '" + stage + "'; stages are " + stages);
    }
    Synthesis synthesis = new Synthesis(cfg, !noProgress, System.err::println);
    for (String s : stage == null ? stages : List.of(stage)) {
      System.err.println("synth: stage " + s);
      if (s.equals("train")) {
        Synthesis.release();
        SftTrainer.Result r = new SftTrainer(YamlConfig.read(Path.of(cfg.train()), SftConfig.class), !noProgress).run();
        System.err.printf("synth: critic trained, %d steps, dev loss %.4f, model in %s%n", r.steps(), r.devLoss(), r.finalModel());
      } else {
        synthesis.run(s);
      }
    }
    Synthesis.release();
    return 0;
  }
}
