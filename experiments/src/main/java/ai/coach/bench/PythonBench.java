package ai.coach.bench;

import ai.coach.python.InterpreterPool;
import ai.coach.python.PythonEnvironment;
import ai.coach.sandbox.CodeSandbox;
import ai.coach.sandbox.ExecutionResult;
import ai.coach.sandbox.SandboxConfig;
import ai.coach.sandbox.SandboxSession;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Latency of running a snippet three ways (warm sandboxed session, Jep in-process, fresh
 * {@code python -c}), and throughput of many concurrent sandboxed sessions.
 */
public final class PythonBench {

  /** What one snippet of each kind looks like; {@code i} keeps sympy from answering out of its cache. */
  static final IntFunction<String> TRIVIAL = i -> "x = " + i + " + 1\nprint(x)";
  static final IntFunction<String> SYMPY = i -> "import sympy\nx = sympy.Symbol('x')\nprint(sympy.factor(x**2 - " + (i + 2) + "**2))";

  private static final String JEP_RUNNER = String.join("\n",
      "import contextlib, io, numpy, sympy",
      "bench_namespace = {'__name__': '__main__'}",
      "def bench_run(code):",
      "    out = io.StringIO()",
      "    with contextlib.redirect_stdout(out):",
      "        exec(code, bench_namespace)",
      "    return out.getvalue()");

  public record Options(int iterations, int subprocessIterations, int sessions, int snippetsPerSession) {}

  private final Options options;
  private final PrintStream out;
  private final PythonEnvironment env = PythonEnvironment.locate();

  public PythonBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  public void run() throws Exception {
    out.println("machine: " + Machine.describe());
    out.println("python: " + env.python() + " (base " + env.basePrefix() + "), jep " + env.jepVersion());
    out.printf(Locale.ROOT, "latency: %d runs per row (fresh subprocess: %d); times in ms%n",
        options.iterations(), options.subprocessIterations());
    out.printf(Locale.ROOT, "%-46s %9s %9s %9s%n", "", "p50", "p99", "mean");

    LatencyStats sandboxTrivial;
    LatencyStats sandboxSympy;
    try (CodeSandbox sandbox = new CodeSandbox(SandboxConfig.DEFAULTS.withPool(1, 0));
        SandboxSession session = sandbox.openSession()) {
      sandboxTrivial = time(options.iterations(), i -> checked(session.run(TRIVIAL.apply(i))));
      sandboxSympy = time(options.iterations(), i -> checked(session.run(SYMPY.apply(i))));
    }
    row("warm sandboxed session, trivial", sandboxTrivial);
    row("warm sandboxed session, sympy", sandboxSympy);

    LatencyStats jepTrivial;
    LatencyStats jepSympy;
    try (InterpreterPool jep = new InterpreterPool(env, 1, python -> {
      python.exec(JEP_RUNNER);
      return null;
    })) {
      jepTrivial = time(options.iterations(), i -> jep.call(python -> python.invoke("bench_run", TRIVIAL.apply(i))));
      jepSympy = time(options.iterations(), i -> jep.call(python -> python.invoke("bench_run", SYMPY.apply(i))));
    }
    row("Jep in-process (no isolation), trivial", jepTrivial);
    row("Jep in-process (no isolation), sympy", jepSympy);

    LatencyStats freshTrivial = time(options.subprocessIterations(), i -> subprocess(TRIVIAL.apply(i)));
    LatencyStats freshPreloaded = time(options.subprocessIterations(), i -> subprocess("import numpy, sympy\n" + TRIVIAL.apply(i)));
    LatencyStats freshSympy = time(options.subprocessIterations(), i -> subprocess(SYMPY.apply(i)));
    row("fresh python -c, trivial", freshTrivial);
    row("fresh python -c, trivial + worker's imports", freshPreloaded);
    row("fresh python -c, sympy", freshSympy);

    out.printf(Locale.ROOT, "ratios (p50): fresh python -c / warm sandbox: trivial %.1fx, trivial with imports %.1fx, sympy %.1fx%n",
        freshTrivial.p50Ms() / sandboxTrivial.p50Ms(), freshPreloaded.p50Ms() / sandboxTrivial.p50Ms(),
        freshSympy.p50Ms() / sandboxSympy.p50Ms());
    out.printf(Locale.ROOT, "              warm sandbox / Jep in-process: trivial %.1fx, sympy %.1fx%n",
        sandboxTrivial.p50Ms() / jepTrivial.p50Ms(), sandboxSympy.p50Ms() / jepSympy.p50Ms());

    throughput();
  }

  /** Opens {@code sessions} sessions at once, then has each run its snippets, and times both phases. */
  private void throughput() throws Exception {
    int n = options.sessions();
    int perSession = options.snippetsPerSession();
    SandboxConfig config = SandboxConfig.DEFAULTS.withPool(n, 0);
    ExecutorService threads = Executors.newFixedThreadPool(n);
    long[] phase = new long[3];
    CyclicBarrier opened = new CyclicBarrier(n, () -> phase[1] = System.nanoTime());
    CyclicBarrier done = new CyclicBarrier(n, () -> phase[2] = System.nanoTime());
    try (CodeSandbox sandbox = new CodeSandbox(config)) {
      phase[0] = System.nanoTime();
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < n; t++) {
        results.add(threads.submit(() -> {
          try (SandboxSession session = sandbox.openSession()) {
            opened.await();
            for (int i = 0; i < perSession; i++) {
              checked(session.run(i % 2 == 0 ? TRIVIAL.apply(i) : SYMPY.apply(i)));
            }
            done.await();
          }
          return null;
        }));
      }
      for (Future<?> result : results) {
        result.get();
      }
    } finally {
      threads.shutdown();
    }
    double openSeconds = (phase[1] - phase[0]) / 1e9;
    double runSeconds = (phase[2] - phase[1]) / 1e9;
    out.printf(Locale.ROOT, "throughput, %d concurrent sandboxed sessions (pool %d):%n", n, n);
    out.printf(Locale.ROOT, "  starting %d workers from cold (bwrap + python + numpy/sympy imports): %.1f s, %.1f sessions/s%n",
        n, openSeconds, n / openSeconds);
    out.printf(Locale.ROOT, "  %d snippets (%d per session, trivial and sympy alternating): %.2f s, %.0f snippets/s%n",
        n * perSession, perSession, runSeconds, n * perSession / runSeconds);
  }

  private void row(String label, LatencyStats stats) {
    out.printf(Locale.ROOT, "%-46s %9.2f %9.2f %9.2f%n", label, stats.p50Ms(), stats.p99Ms(), stats.meanMs());
  }

  private interface Step {
    Object run(int i) throws Exception;
  }

  private static LatencyStats time(int runs, Step step) throws Exception {
    step.run(-1);
    double[] millis = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      step.run(i);
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    return LatencyStats.of(millis);
  }

  private static ExecutionResult checked(ExecutionResult result) {
    if (result.status() != ExecutionResult.Status.OK) {
      throw new IllegalStateException("benchmark snippet failed: " + result.output());
    }
    return result;
  }

  private String subprocess(String code) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(env.python().toString(), "-c", code).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("python -c failed: " + output);
    }
    return output;
  }
}
