package ai.coach.critic;

/**
 * Supplies the sandbox that runs critic code, found with {@link java.util.ServiceLoader} so the
 * critic does not depend on how code is isolated. Registered in
 * {@code META-INF/services/ai.coach.critic.CodeExecutorProvider}.
 */
public interface CodeExecutorProvider {

  /** Opens the executor; {@code timeoutSeconds} bounds one snippet. The caller closes it. */
  CloseableCodeExecutor open(double timeoutSeconds);

  /** An executor that owns processes or threads to release. */
  interface CloseableCodeExecutor extends CodeExecutor, AutoCloseable {
    @Override
    void close();
  }
}
