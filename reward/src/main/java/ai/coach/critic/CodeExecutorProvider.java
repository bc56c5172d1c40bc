package ai.coach.critic;

import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * Supplies the sandbox that runs critic code, found with {@link java.util.ServiceLoader} so the
 * critic does not depend on how code is isolated. Registered in
 * {@code META-INF/services/ai.coach.critic.CodeExecutorProvider}.
 */
public interface CodeExecutorProvider {

  /** Opens the executor; {@code timeoutSeconds} bounds one snippet. The caller closes it. */
  CloseableCodeExecutor open(double timeoutSeconds);

  /**
   * Opens the executor of the first provider on the class path, or fails naming what is missing:
   * verification code never runs unsandboxed.
   */
  static CloseableCodeExecutor openRegistered(double timeoutSeconds) {
    Iterator<CodeExecutorProvider> providers = ServiceLoader.load(CodeExecutorProvider.class).iterator();
    if (!providers.hasNext()) {
      throw new IllegalStateException("critic mode 'full' runs Python checks, but no code sandbox is registered (META-INF/services/"
          + CodeExecutorProvider.class.getName() + "); use mode analyze or direct");
    }
    return providers.next().open(timeoutSeconds);
  }

  /** An executor that owns processes or threads to release. */
  interface CloseableCodeExecutor extends CodeExecutor, AutoCloseable {
    @Override
    void close();
  }
}
