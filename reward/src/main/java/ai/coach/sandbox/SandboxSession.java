package ai.coach.sandbox;

/**
 * One critique conversation: snippets run in order in one shared namespace, inside one
 * sandboxed process. Not for concurrent use; open one session per conversation.
 */
public final class SandboxSession implements AutoCloseable {

  private final CodeSandbox sandbox;
  private SandboxWorker worker;
  private boolean lostNamespace;
  private boolean ranAny;
  private boolean closed;

  SandboxSession(CodeSandbox sandbox, SandboxWorker worker) {
    this.sandbox = sandbox;
    this.worker = worker;
  }

  /**
   * Runs {@code code} in the session's namespace. A timeout or a crash ends the process; the next
   * snippet then runs in a fresh one and its result says so.
   */
  public synchronized ExecutionResult run(String code) {
    if (closed) {
      throw new IllegalStateException("the sandbox session is closed");
    }
    if (worker != null && !worker.isAlive()) {
      // Killed between snippets, e.g. by the memory watch for what a child left running used.
      sandbox.retire(worker);
      worker = null;
      lostNamespace = ranAny;
    }
    ranAny = true;
    boolean fresh = false;
    if (worker == null) {
      worker = sandbox.takeWorker();
      fresh = lostNamespace;
      lostNamespace = false;
    }
    ExecutionResult result = sandbox.execute(worker, code);
    if (result.status() == ExecutionResult.Status.TIMEOUT || result.status() == ExecutionResult.Status.KILLED) {
      sandbox.retire(worker);
      worker = null;
      lostNamespace = true;
    }
    if (fresh) {
      return new ExecutionResult(result.status(), OutputFormat.RESTART_NOTE + result.output(), true);
    }
    return result;
  }

  /** Ends the session: its process, children, files and namespace are gone. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (worker != null) {
      sandbox.retire(worker);
      worker = null;
    }
    sandbox.sessionClosed();
  }
}
