package ai.coach.sandbox;

/**
 * Limits of the code sandbox. Every field has a default ({@link #DEFAULTS}); a value out of range
 * is an error naming its key.
 *
 * @param timeoutSeconds wall-clock limit of one snippet; the worker is killed when it passes
 * @param memoryMb address-space cap (RLIMIT_AS) of a session's Python process
 * @param cpuSeconds CPU-time cap (RLIMIT_CPU) of a session's Python process, all its snippets together
 * @param maxOutputChars length at which a snippet's output is cut, keeping its head and tail
 * @param poolSize most sessions open at once; {@link CodeSandbox#openSession()} waits beyond it
 * @param warmWorkers workers kept started, numpy and sympy imported, for the next sessions
 * @param maxProcesses cap on processes and threads (RLIMIT_NPROC) of one session
 * @param fileSizeMb largest file a snippet may write (RLIMIT_FSIZE)
 * @param scratchMb size of the session's scratch directory, its only writable place
 * @param firstUid first of the host uids given to workers, one per live worker, none shared
 */
public record SandboxConfig(
    double timeoutSeconds,
    int memoryMb,
    int cpuSeconds,
    int maxOutputChars,
    int poolSize,
    int warmWorkers,
    int maxProcesses,
    int fileSizeMb,
    int scratchMb,
    int firstUid) {

  public static final SandboxConfig DEFAULTS = new SandboxConfig(5, 1024, 120, 8000, 64, 4, 64, 16, 64, 200_000);

  /** Uids from firstUid on that workers cycle through. */
  static final int UID_RANGE = 100_000;

  public SandboxConfig {
    positive("timeoutSeconds", timeoutSeconds);
    positive("memoryMb", memoryMb);
    positive("cpuSeconds", cpuSeconds);
    positive("maxOutputChars", maxOutputChars);
    positive("poolSize", poolSize);
    positive("maxProcesses", maxProcesses);
    positive("fileSizeMb", fileSizeMb);
    positive("scratchMb", scratchMb);
    if (warmWorkers < 0) {
      throw new IllegalArgumentException("sandbox warmWorkers must be >= 0, got " + warmWorkers);
    }
    if (firstUid < 1000 || (long) firstUid + UID_RANGE > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("sandbox firstUid must be an unused range start >= 1000, got " + firstUid);
    }
  }

  private static void positive(String key, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException("sandbox " + key + " must be > 0, got " + value);
    }
  }

  public SandboxConfig withTimeoutSeconds(double value) {
    return new SandboxConfig(value, memoryMb, cpuSeconds, maxOutputChars, poolSize, warmWorkers, maxProcesses, fileSizeMb, scratchMb, firstUid);
  }

  public SandboxConfig withMemoryMb(int value) {
    return new SandboxConfig(timeoutSeconds, value, cpuSeconds, maxOutputChars, poolSize, warmWorkers, maxProcesses, fileSizeMb, scratchMb, firstUid);
  }

  public SandboxConfig withMaxOutputChars(int value) {
    return new SandboxConfig(timeoutSeconds, memoryMb, cpuSeconds, value, poolSize, warmWorkers, maxProcesses, fileSizeMb, scratchMb, firstUid);
  }

  public SandboxConfig withPool(int size, int warm) {
    return new SandboxConfig(timeoutSeconds, memoryMb, cpuSeconds, maxOutputChars, size, warm, maxProcesses, fileSizeMb, scratchMb, firstUid);
  }

  public SandboxConfig withCpuSeconds(int value) {
    return new SandboxConfig(timeoutSeconds, memoryMb, value, maxOutputChars, poolSize, warmWorkers, maxProcesses, fileSizeMb, scratchMb, firstUid);
  }
}
