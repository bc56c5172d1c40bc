package ai.coach.sandbox;

/**
 * What running one snippet produced.
 *
 * @param status how the snippet ended
 * @param output text for the critic, formatted as GenPRM inserts it: what the snippet printed
 *     (stdout and stderr), then {@code Code execute Error: {Type}: {message}} or {@code Code
 *     execute time out: ...}, cut to the configured length with a visible marker
 * @param freshNamespace true when the previous snippet ended the session's Python process, so this
 *     one ran without the variables defined before (its output starts with a note saying so)
 */
public record ExecutionResult(Status status, String output, boolean freshNamespace) {

  public enum Status {
    /** Ran to the end. */
    OK,
    /** Raised an exception (including SystemExit and MemoryError); the namespace lives on. */
    ERROR,
    /** Passed the wall-clock limit; the process was killed and will be replaced. */
    TIMEOUT,
    /** The process died (crash, os._exit, a signal, a broken protocol); it will be replaced. */
    KILLED;

    /** The lower-case name used in the CLI's JSON. */
    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
