package ai.coach.lm;

import java.nio.file.Path;

/** A checkpoint file that cannot be used, with the file and the problem named. */
public final class CheckpointException extends RuntimeException {

  public CheckpointException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public CheckpointException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
