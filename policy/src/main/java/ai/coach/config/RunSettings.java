package ai.coach.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The settings a resumable run was started with, kept as JSON beside its results. A run started
 * again in the same directory continues only with the same settings; anything else would mix the
 * results of two configurations in one file.
 */
public final class RunSettings {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RunSettings() {}

  /**
   * Writes {@code settings} to {@code file} when it does not exist yet, otherwise checks that it
   * holds the same.
   *
   * @throws IllegalArgumentException naming the file and both settings when they differ
   */
  public static void keepOrCheck(Path file, Object settings) {
    try {
      // Compared as read back from text: a long becomes an int node when parsed, and the long
      // node valueToTree makes would never equal it.
      String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(settings);
      JsonNode wanted = JSON.readTree(text);
      if (Files.exists(file)) {
        JsonNode had = JSON.readTree(file.toFile());
        if (!had.equals(wanted)) {
          throw new IllegalArgumentException(file + ": this directory holds results made with " + had + ", not " + wanted
              + "; use another output directory to run with different settings");
        }
        return;
      }
      writeAtomically(file, text + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Replaces {@code file} with {@code text} in one step, so a kill never leaves half a file. */
  public static void writeAtomically(Path file, String text) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }
}
