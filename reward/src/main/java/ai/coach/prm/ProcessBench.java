package ai.coach.prm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads ProcessBench-format data: a JSON array or JSON lines of {@code {"id", "generator",
 * "problem", "steps", "final_answer_correct", "label"}}. A file is one subset named by its stem.
 */
public final class ProcessBench {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ProcessBench() {}

  public static ProcessBenchSubset read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read ProcessBench data: " + e.getMessage(), e);
    }
    List<ProcessBenchItem> items = new ArrayList<>();
    String trimmed = text.strip();
    if (trimmed.startsWith("[")) {
      JsonNode root = parse(file, "", trimmed);
      for (int i = 0; i < root.size(); i++) items.add(item(file, "item " + i, root.get(i)));
    } else {
      String[] lines = text.split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        if (lines[i].isBlank()) continue;
        String where = "line " + (i + 1);
        items.add(item(file, where, parse(file, where, lines[i])));
      }
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Integer before = seen.put(items.get(i).id(), i);
      if (before != null) throw new IllegalArgumentException(file + ": id '" + items.get(i).id() + "' appears twice");
    }
    return new ProcessBenchSubset(stem(file), file, items);
  }

  /** Reads several files; subset names and item ids must be unique across them. */
  public static List<ProcessBenchSubset> readAll(List<Path> files) {
    List<ProcessBenchSubset> out = new ArrayList<>();
    Map<String, Path> names = new HashMap<>();
    Map<String, Path> ids = new HashMap<>();
    for (Path f : files) {
      ProcessBenchSubset s = read(f);
      Path other = names.put(s.name(), f);
      if (other != null) throw new IllegalArgumentException(f + ": subset name '" + s.name() + "' is also the stem of " + other);
      for (ProcessBenchItem item : s.items()) {
        Path prior = ids.put(item.id(), f);
        if (prior != null) throw new IllegalArgumentException(f + ": id '" + item.id() + "' is also in " + prior);
      }
      out.add(s);
    }
    return out;
  }

  static String stem(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  private static JsonNode parse(Path file, String where, String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + (where.isEmpty() ? "" : " " + where) + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static ProcessBenchItem item(Path file, String where, JsonNode n) {
    String at = file + " " + where + ": ";
    if (!n.isObject()) throw new IllegalArgumentException(at + "expected a JSON object");
    JsonNode id = n.get("id");
    if (id == null || !(id.isTextual() || id.isNumber())) throw new IllegalArgumentException(at + "'id' is missing (expected a string)");
    JsonNode problem = n.get("problem");
    if (problem == null || !problem.isTextual()) throw new IllegalArgumentException(at + "'problem' is missing (expected a string)");
    JsonNode steps = n.get("steps");
    if (steps == null || !steps.isArray() || steps.isEmpty()) {
      throw new IllegalArgumentException(at + "'steps' is missing (expected a non-empty array of strings)");
    }
    List<String> stepTexts = new ArrayList<>();
    for (JsonNode s : steps) {
      if (!s.isTextual()) throw new IllegalArgumentException(at + "'steps' must hold strings, found " + s.getNodeType());
      stepTexts.add(s.asText());
    }
    JsonNode label = n.get("label");
    if (label == null || !label.isIntegralNumber()) throw new IllegalArgumentException(at + "'label' is missing (expected an integer)");
    int l = label.asInt();
    if (l < -1 || l >= stepTexts.size()) {
      throw new IllegalArgumentException(at + "'label' " + l + " is not -1 or a step index below " + stepTexts.size());
    }
    JsonNode generator = n.get("generator");
    JsonNode correct = n.get("final_answer_correct");
    if (correct != null && !correct.isNull() && !correct.isBoolean()) {
      throw new IllegalArgumentException(at + "'final_answer_correct' must be true or false");
    }
    return new ProcessBenchItem(id.asText(), generator == null || generator.isNull() ? null : generator.asText(),
        problem.asText(), stepTexts, correct == null || correct.isNull() ? null : correct.asBoolean(), l);
  }
}
