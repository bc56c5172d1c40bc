package ai.coach.critic;

/**
 * Where the critic's verification code runs. One session per critiqued solution: its snippets
 * share a namespace, as GenPRM's verify blocks reuse variables from earlier steps.
 */
public interface CodeExecutor {

  /** A new session; may block while the executor is at its session limit. */
  Session openSession();

  /** One solution's namespace. Used by one thread at a time. */
  interface Session extends AutoCloseable {

    /** Runs {@code code}; returns the text the critic reads back (output, or the error line). */
    String run(String code);

    @Override
    void close();
  }
}
