package ai.coach.sandbox;

import ai.coach.python.PythonEnvironment;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;

/**
 * Runs model-written Python in isolated, warm worker processes. Each session gets its own
 * process under bubblewrap: new mount, pid, network, ipc and uts namespaces, read-only system
 * and venv, a size-capped tmpfs as the only writable place, no inherited environment, its own
 * unprivileged uid, rlimits on memory, CPU time, processes and file size, and a watch on the
 * memory of all of a session's processes together. Workers are started ahead of time with numpy
 * and sympy imported. At most {@link SandboxConfig#poolSize()} sessions are open at once. If
 * bubblewrap cannot isolate code here, construction fails: code never runs unsandboxed.
 *
 * <p>One instance per process is enough; it is safe for concurrent use.
 */
public final class CodeSandbox implements AutoCloseable {

  private static final String WORKER_RESOURCE = "ai/coach/sandbox/worker.py";
  private static final String WORKER_PATH = "/coach/worker.py";

  private final SandboxConfig config;
  private final PythonEnvironment env;
  private final Path bwrap;
  private final Path scriptDir;
  private final Semaphore sessions;
  private final LinkedBlockingQueue<SandboxWorker> ready = new LinkedBlockingQueue<>();
  private final ExecutorService starter;
  private final ScheduledExecutorService timer;
  private final MemoryWatch memoryWatch;
  private final Set<Integer> liveUids = new HashSet<>();
  private final Set<SandboxWorker> liveWorkers = ConcurrentHashMap.newKeySet();
  private int nextUid;
  private int starting;
  private volatile boolean closed;

  public CodeSandbox(SandboxConfig config) {
    this(config, PythonEnvironment.locate());
  }

  public CodeSandbox(SandboxConfig config, PythonEnvironment env) {
    this.config = config;
    this.env = env;
    this.bwrap = findBubblewrap();
    this.scriptDir = extractWorkerScript();
    this.sessions = new Semaphore(config.poolSize(), true);
    this.starter = Executors.newFixedThreadPool(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())),
        daemon("sandbox-starter"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("sandbox-timer"));
    this.memoryWatch = new MemoryWatch((long) config.memoryMb() << 20, 100, timer);
    try {
      // One worker started here proves that bubblewrap isolates code on this machine.
      ready.add(startWorker());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    refill();
  }

  public SandboxConfig config() {
    return config;
  }

  /** Opens a session, waiting while {@link SandboxConfig#poolSize()} sessions are open. */
  public SandboxSession openSession() {
    if (closed) {
      throw new IllegalStateException("the code sandbox is closed");
    }
    try {
      sessions.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a free sandbox session", e);
    }
    try {
      return new SandboxSession(this, takeWorker());
    } catch (RuntimeException e) {
      sessions.release();
      throw e;
    }
  }

  /** A warm worker if one is ready, else one started now. */
  SandboxWorker takeWorker() {
    if (closed) {
      throw new IllegalStateException("the code sandbox is closed; its sessions can run no more code");
    }
    SandboxWorker worker = ready.poll();
    refill();
    if (worker == null) {
      worker = startWorker();
    }
    memoryWatch.watch(worker);
    return worker;
  }

  ExecutionResult execute(SandboxWorker worker, String code) {
    if (closed) {
      throw new IllegalStateException("the code sandbox is closed; its sessions can run no more code");
    }
    try (MemoryWatch.Running running = memoryWatch.running()) {
      return worker.execute(code, Math.round(config.timeoutSeconds() * 1000), config.maxOutputChars(), timer);
    }
  }

  void retire(SandboxWorker worker) {
    memoryWatch.forget(worker);
    liveWorkers.remove(worker);
    worker.kill();
    if (closed) {
      return;
    }
    try {
      starter.execute(() -> {
        worker.awaitExit();
        synchronized (this) {
          liveUids.remove(worker.uid());
        }
      });
    } catch (RejectedExecutionException e) {
      // The sandbox closed meanwhile; its uids are not handed out again.
    }
  }

  void sessionClosed() {
    sessions.release();
  }

  private void refill() {
    synchronized (this) {
      if (closed || ready.size() + starting >= config.warmWorkers()) {
        return;
      }
      starting++;
    }
    starter.execute(() -> {
      try {
        SandboxWorker worker = startWorker();
        if (closed) {
          retire(worker);
        } else {
          ready.add(worker);
        }
      } catch (RuntimeException e) {
        // Not fatal here: a session that finds no warm worker starts one itself and reports why it failed.
        return;
      } finally {
        synchronized (this) {
          starting--;
        }
      }
      refill();
    });
  }

  private SandboxWorker startWorker() {
    int uid = allocateUid();
    try {
      SandboxWorker worker = SandboxWorker.start(command(uid), uid, config.maxOutputChars());
      liveWorkers.add(worker);
      return worker;
    } catch (RuntimeException e) {
      synchronized (this) {
        liveUids.remove(uid);
      }
      throw e;
    }
  }

  private synchronized int allocateUid() {
    for (int i = 0; i < SandboxConfig.UID_RANGE; i++) {
      int uid = config.firstUid() + nextUid;
      nextUid = (nextUid + 1) % SandboxConfig.UID_RANGE;
      if (liveUids.add(uid)) {
        return uid;
      }
    }
    throw new IllegalStateException("all " + SandboxConfig.UID_RANGE + " sandbox uids are in use");
  }

  /** The bubblewrap command line of one worker; see docs/sandbox.md for what each part isolates. */
  List<String> command(int uid) {
    List<String> c = new ArrayList<>(List.of(bwrap.toString(),
        // No user namespace: the worker must drop to a real unprivileged uid, which is what
        // makes RLIMIT_NPROC count (it is not enforced for uid 0).
        "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session", "--clearenv",
        "--ro-bind", "/usr", "/usr"));
    for (String top : List.of("bin", "sbin", "lib", "lib32", "lib64")) {
      Path path = Path.of("/", top);
      if (Files.isSymbolicLink(path)) {
        try {
          c.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), path.toString()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else if (Files.isDirectory(path)) {
        c.addAll(List.of("--ro-bind", path.toString(), path.toString()));
      }
    }
    c.addAll(List.of("--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"));
    List<Path> pythonDirs = env.basePrefix().startsWith("/usr") ? List.of(env.venv()) : List.of(env.basePrefix(), env.venv());
    Set<Path> parents = new LinkedHashSet<>();
    for (Path dir : pythonDirs) {
      for (Path parent = dir.getParent(); parent != null && parent.getParent() != null; parent = parent.getParent()) {
        parents.add(parent);
      }
    }
    // bwrap would create the mount points' parents as private directories (e.g. /root/.pyenv),
    // which the worker could no longer enter once it drops to its own uid.
    parents.stream().sorted(Comparator.comparingInt(Path::getNameCount))
        .forEach(parent -> c.addAll(List.of("--perms", "0755", "--dir", parent.toString())));
    for (Path dir : pythonDirs) {
      c.addAll(List.of("--ro-bind", dir.toString(), dir.toString()));
    }
    c.addAll(List.of(
        "--ro-bind", scriptDir.toString(), "/coach",
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", Long.toString((long) config.scratchMb() << 20), "--tmpfs", "/scratch"));
    if (!parents.contains(Path.of("/tmp"))) {
      c.addAll(List.of("--symlink", "/scratch", "/tmp"));
    }
    c.addAll(List.of(
        "--chdir", "/scratch",
        "--setenv", "HOME", "/scratch",
        "--setenv", "TMPDIR", "/scratch",
        "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
        "--setenv", "LANG", "C.UTF-8",
        // One BLAS/OpenMP thread: threads count against the process cap, and sessions run side by side.
        "--setenv", "OPENBLAS_NUM_THREADS", "1",
        "--setenv", "OMP_NUM_THREADS", "1",
        "--setenv", "MKL_NUM_THREADS", "1",
        env.venv().resolve("bin/python").toString(), "-I", "-B", WORKER_PATH,
        Integer.toString(uid),
        Long.toString((long) config.memoryMb() << 20),
        Integer.toString(config.cpuSeconds()),
        Long.toString((long) config.fileSizeMb() << 20),
        Integer.toString(config.maxProcesses())));
    return c;
  }

  private static Path findBubblewrap() {
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(List.of((path == null ? "" : path).split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/bin", "/bin", "/usr/local/bin"));
    for (String dir : dirs) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, "bwrap");
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    throw new SandboxUnavailableException(
        "bubblewrap (bwrap) is not installed, and model-written code is never run unsandboxed;"
            + " install it (Debian: apt-get install bubblewrap; bin/coach does this when run as root)");
  }

  private static Path extractWorkerScript() {
    try (InputStream in = CodeSandbox.class.getClassLoader().getResourceAsStream(WORKER_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + WORKER_RESOURCE + " is missing from the classpath; rebuild the reward module");
      }
      Path dir = Files.createTempDirectory("coach-sandbox-");
      Files.copy(in, dir.resolve("worker.py"));
      dir.toFile().deleteOnExit();
      dir.resolve("worker.py").toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the sandbox worker script: " + e.getMessage(), e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Kills every worker, warm or in a session; open sessions can then only be closed. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    memoryWatch.stop();
    ready.clear();
    liveWorkers.forEach(SandboxWorker::kill);
    starter.shutdown();
    timer.shutdown();
    try {
      Files.deleteIfExists(scriptDir.resolve("worker.py"));
      Files.deleteIfExists(scriptDir);
    } catch (IOException e) {
      // A leftover copy of the worker script in the temp dir is harmless.
    }
  }
}
