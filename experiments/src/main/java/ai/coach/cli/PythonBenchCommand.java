package ai.coach.cli;

import ai.coach.bench.PythonBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coach bench python}: sandboxed snippet latency and throughput. */
@Command(
    name = "python",
    mixinStandardHelpOptions = true,
    description = "Snippet latency p50/p99 in a warm sandboxed session vs Jep in-process vs a fresh python -c,"
        + " and throughput of many concurrent sandboxed sessions.")
public final class PythonBenchCommand implements Callable<Integer> {

  @Option(names = "--iterations", defaultValue = "300", description = "Runs per latency row (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--subprocess-iterations", defaultValue = "20",
      description = "Runs per fresh-subprocess row (default: ${DEFAULT-VALUE}).")
  int subprocessIterations;

  @Option(names = "--sessions", defaultValue = "64", description = "Concurrent sessions for throughput (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(names = "--snippets-per-session", defaultValue = "20",
      description = "Snippets each concurrent session runs (default: ${DEFAULT-VALUE}).")
  int snippetsPerSession;

  @Override
  public Integer call() throws Exception {
    if (iterations < 1 || subprocessIterations < 1 || sessions < 1 || snippetsPerSession < 1) {
      throw new IllegalArgumentException("--iterations, --subprocess-iterations, --sessions and --snippets-per-session must be >= 1");
    }
    new PythonBench(new PythonBench.Options(iterations, subprocessIterations, sessions, snippetsPerSession), System.out).run();
    return 0;
  }
}
