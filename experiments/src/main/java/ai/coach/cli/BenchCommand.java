package ai.coach.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code coach bench ...}: speed measured side by side with a reference implementation. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks against reference implementations, printing both, the ratio and the machine.",
    subcommands = {BenchLmCommand.class, PythonBenchCommand.class, BenchTrainCommand.class})
public final class BenchCommand implements Runnable {
  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
