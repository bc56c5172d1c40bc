package ai.coach.cli;

import ai.coach.loop.MainJob;
import ai.coach.loop.RunConfig;
import ai.coach.config.YamlConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code coach run [CONFIG]}: the main job, on the shipped defaults unless a config is given. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Sample, grade and (with a critic) score solutions on the testbed; resumes an interrupted run.")
public final class RunCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", defaultValue = "configs/default.yaml", description = "Run config (default: ${DEFAULT-VALUE}).")
  Path config;

  @Override
  public Integer call() throws Exception {
    Path root = Path.of(System.getProperty("coach.root", "."));
    Path file = config.isAbsolute() || config.toFile().exists() ? config : root.resolve(config);
    RunConfig rc = YamlConfig.read(file, RunConfig.class);
    Map<String, Object> report = new MainJob(rc, root, System.err::println).run();
    System.out.println(LmCommand.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    return 0;
  }
}
