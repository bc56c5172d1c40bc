package ai.coach.critic;

import ai.coach.sandbox.CodeSandbox;
import ai.coach.sandbox.SandboxConfig;
import ai.coach.sandbox.SandboxSession;

/**
 * The critic's verification code on the bubblewrap sandbox: one sandbox session (one isolated
 * Python process and namespace) per critiqued solution.
 */
public final class SandboxCodeExecutor implements CodeExecutorProvider.CloseableCodeExecutor {

  private final CodeSandbox sandbox;

  public SandboxCodeExecutor(CodeSandbox sandbox) {
    this.sandbox = sandbox;
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

  /** Found by {@code eval-prm --mode full} through META-INF/services. */
  public static final class Provider implements CodeExecutorProvider {
    @Override
    public CloseableCodeExecutor open(double timeoutSeconds) {
      return new SandboxCodeExecutor(new CodeSandbox(SandboxConfig.DEFAULTS.withTimeoutSeconds(timeoutSeconds)));
    }
  }
}
