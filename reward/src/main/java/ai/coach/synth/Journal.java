package ai.coach.synth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A stage's output: JSON lines appended and flushed as work finishes, so a killed stage resumes
 * from what is on disk. Opening it drops a last line cut off by the kill (and only that: a bad
 * line elsewhere is an error, since it means the file is not what the stage wrote).
 */
final class Journal<T> implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  private final List<T> records;
  private final BufferedWriter writer;

  private Journal(List<T> records, BufferedWriter writer) {
    this.records = records;
    this.writer = writer;
  }

  static <T> Journal<T> open(Path file, Class<T> type) {
    try {
      List<T> records = read(file, type, true);
      return new Journal<>(records, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /** A finished stage's records; an error naming the stage's file when it is missing. */
  static <T> List<T> readFinished(Path file, Class<T> type, String stage) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + " not found: run the '" + stage + "' stage first");
    }
    try {
      return read(file, type, false);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  private static <T> List<T> read(Path file, Class<T> type, boolean repairTail) throws IOException {
    List<T> out = new ArrayList<>();
    if (!Files.exists(file)) return out;
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      try {
        out.add(JSON.readValue(lines.get(i), type));
      } catch (JsonProcessingException e) {
        boolean last = i == lines.size() - 1;
        if (!(repairTail && last)) {
          throw new IllegalArgumentException(file + " line " + (i + 1) + ": not a " + type.getSimpleName()
              + " (" + e.getOriginalMessage() + ")", e);
        }
        Files.write(file, lines.subList(0, i), StandardCharsets.UTF_8);
      }
    }
    return out;
  }

  List<T> records() {
    return records;
  }

  void append(List<T> batch) {
    try {
      for (T r : batch) {
        writer.write(JSON.writeValueAsString(r));
        writer.newLine();
        records.add(r);
      }
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
