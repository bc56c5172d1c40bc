package ai.coach.critic;

import ai.coach.sandbox.CodeSandbox;
import ai.coach.sandbox.SandboxConfig;
import ai.coach.sandbox.SandboxSession;

/**
 * The critic's verification code on the bubblewrap sandbox: one sandbox session (one isolated
 * Python process and namespace) per critiqued solution. Owns the sandbox's worker processes, so
 * close it when the critique work is done.
 */
public final class SandboxCodeExecutor implements CodeExecutor, AutoCloseable {

  private final CodeSandbox sandbox;

  public SandboxCodeExecutor(CodeSandbox sandbox) {
    this.sandbox = sandbox;
  }

  /** A sandbox with the default limits and {@code timeoutSeconds} per snippet. */
  public static SandboxCodeExecutor open(double timeoutSeconds) {
    return new SandboxCodeExecutor(new CodeSandbox(SandboxConfig.DEFAULTS.withTimeoutSeconds(timeoutSeconds)));
  }

  @Override
  public Session openSession() {
    SandboxSession session = sandbox.openSession();
    return new Session() {
      @Override
      public String run(String code) {
        // GenPRM inserts the captured output stripped of surrounding whitespace.
        return session.run(code).output().strip();
      }

      @Override
      public void close() {
        session.close();
      }
    };
  }

  @Override
  public void close() {
    sandbox.close();
  }
}
