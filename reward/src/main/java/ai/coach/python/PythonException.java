package ai.coach.python;

/** A Python error raised by the project's own code running through Jep. */
public final class PythonException extends RuntimeException {
  public PythonException(String message, Throwable cause) {
    super(message, cause);
  }
}
