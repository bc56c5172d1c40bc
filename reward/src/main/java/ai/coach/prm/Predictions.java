package ai.coach.prm;

import ai.coach.critic.CritiqueResult;
import ai.coach.critic.CritiqueResult.CodeRound;
import ai.coach.critic.CritiqueResult.SampleCritique;
import ai.coach.critic.CritiqueResult.StepCritique;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code predictions.jsonl}: one line per item, {@code {"id", "step_rewards", ...}}. Coach adds
 * every sample's analysis, code, code output, judgement and reward; only id, step_rewards and
 * the samples' rewards are read back, so predictions of any PRM with the first two can be scored.
 */
public final class Predictions {

  static final ObjectMapper JSON = new ObjectMapper();

  private Predictions() {}

  /**
   * What a predictions file holds. A last line cut off mid-write (an interrupted run) is ignored.
   *
   * @param rewards step rewards by id
   * @param samples by id, per step, every sample's reward; only items written with their samples
   */
  record Contents(Map<String, List<Double>> rewards, Map<String, List<List<Double>>> samples, List<String> lines, boolean truncatedTail) {}

  static Contents read(Path file, boolean tolerateMissing) {
    Map<String, List<Double>> rewards = new LinkedHashMap<>();
    Map<String, List<List<Double>>> samples = new LinkedHashMap<>();
    List<String> kept = new ArrayList<>();
    if (tolerateMissing && !Files.exists(file)) return new Contents(rewards, samples, kept, false);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read predictions: " + e.getMessage(), e);
    }
    String[] lines = text.split("\n", -1);
    boolean truncated = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) continue;
      boolean last = i == lines.length - 1;
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        if (last) {
          truncated = true;
          break;
        }
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": not valid JSON: " + e.getOriginalMessage(), e);
      }
      String where = file + " line " + (i + 1) + ": ";
      JsonNode id = n.get("id");
      if (id == null || !(id.isTextual() || id.isNumber())) throw new IllegalArgumentException(where + "'id' is missing");
      JsonNode r = n.get("step_rewards");
      if (r == null || !r.isArray()) throw new IllegalArgumentException(where + "'step_rewards' is missing (expected an array of numbers)");
      List<Double> values = new ArrayList<>();
      for (JsonNode v : r) {
        if (!v.isNumber()) throw new IllegalArgumentException(where + "'step_rewards' must hold numbers, found " + v.getNodeType());
        values.add(v.asDouble());
      }
      if (rewards.put(id.asText(), values) != null) throw new IllegalArgumentException(where + "id '" + id.asText() + "' appears twice");
      if (n.has("steps")) samples.put(id.asText(), sampleRewards(n.get("steps"), where));
      kept.add(line);
    }
    return new Contents(rewards, samples, kept, truncated);
  }

  private static List<List<Double>> sampleRewards(JsonNode steps, String where) {
    List<List<Double>> out = new ArrayList<>();
    for (JsonNode step : steps) {
      List<Double> rewards = new ArrayList<>();
      for (JsonNode sample : step.path("samples")) {
        JsonNode r = sample.get("reward");
        if (r == null || !r.isNumber()) throw new IllegalArgumentException(where + "a sample of step " + out.size() + " has no numeric 'reward'");
        rewards.add(r.asDouble());
      }
      out.add(rewards);
    }
    return out;
  }

  /** The line Coach writes for one critiqued item. */
  static String line(String subset, CritiqueResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("subset", subset);
    m.put("step_rewards", r.stepRewards());
    m.put("first_error_step", r.firstErrorStep());
    List<Object> steps = new ArrayList<>();
    for (StepCritique s : r.steps()) {
      List<Object> samples = new ArrayList<>();
      for (SampleCritique c : s.samples()) {
        Map<String, Object> sm = new LinkedHashMap<>();
        sm.put("analysis", c.analysis());
        sm.put("code", c.codeRounds().stream().map(CodeRound::code).toList());
        sm.put("code_output", c.codeRounds().stream().map(CodeRound::output).toList());
        sm.put("judgement", c.judgement());
        sm.put("reward", c.reward());
        sm.put("fell_back", c.fellBack());
        sm.put("tokens", c.tokens());
        samples.add(sm);
      }
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("reward", s.reward());
      step.put("samples", samples);
      steps.add(step);
    }
    m.put("steps", steps);
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the prediction of " + r.id(), e);
    }
  }
}
