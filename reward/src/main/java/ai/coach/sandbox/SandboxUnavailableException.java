package ai.coach.sandbox;

/** The sandbox cannot isolate code on this machine, so no code is run at all. */
public final class SandboxUnavailableException extends IllegalStateException {
  public SandboxUnavailableException(String message) {
    super(message);
  }

  public SandboxUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
