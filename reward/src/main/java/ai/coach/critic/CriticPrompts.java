package ai.coach.critic;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The texts of the critique protocol: system prompts, forced prefixes, stop strings and the
 * code-output insertion. They live in YAML ({@code ai/coach/critic/genprm-prompts.yaml} by default)
 * because a critic trained on other strings needs other texts, not other code.
 */
public record CriticPrompts(
    String systemStepByStep,
    String systemDirect,
    String firstUserTurn,
    String analyzePrefix,
    String analyzeStop,
    String verifyPrefix,
    List<String> verifyStops,
    String codeOutput,
    String noCodeOutput,
    String outputPrefix,
    String outputStop,
    String yesWord,
    String noWord) {

  public static final String DEFAULT_RESOURCE = "ai/coach/critic/genprm-prompts.yaml";

  public CriticPrompts {
    require("system_step_by_step", systemStepByStep);
    require("system_direct", systemDirect);
    require("first_user_turn", firstUserTurn);
    require("analyze_prefix", analyzePrefix);
    require("analyze_stop", analyzeStop);
    require("verify_prefix", verifyPrefix);
    if (verifyStops == null || verifyStops.isEmpty()) throw new IllegalArgumentException("critic prompts: 'verify_stops' is missing or empty");
    verifyStops = List.copyOf(verifyStops);
    require("code_output", codeOutput);
    require("no_code_output", noCodeOutput);
    require("output_prefix", outputPrefix);
    require("output_stop", outputStop);
    require("yes_word", yesWord);
    require("no_word", noWord);
    if (!verifyStops.contains(outputStop)) {
      throw new IllegalArgumentException("critic prompts: 'verify_stops' must contain output_stop '" + outputStop.replace("\n", "\\n") + "'");
    }
  }

  private static void require(String key, String value) {
    if (value == null || value.isEmpty()) throw new IllegalArgumentException("critic prompts: '" + key + "' is missing or empty");
  }

  /** The GenPRM protocol texts shipped with Coach. */
  public static CriticPrompts genprm() {
    try (InputStream in = CriticPrompts.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) throw new IllegalStateException("resource " + DEFAULT_RESOURCE + " is missing; rebuild the reward module");
      return parse(in, DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + DEFAULT_RESOURCE + ": " + e.getMessage(), e);
    }
  }

  public static CriticPrompts load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read critic prompts: " + e.getMessage(), e);
    }
  }

  private static CriticPrompts parse(InputStream in, String source) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    try {
      return yaml.readValue(in, CriticPrompts.class);
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(source + ": unknown key '" + e.getPropertyName() + "' in critic prompts", e);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  public String analyzePrefix(int step) {
    return analyzePrefix.replace("{step}", Integer.toString(step));
  }

  public String firstUserTurn(String problem, String firstStep) {
    // One pass, so a problem that happens to contain "{step}" is left as written.
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (at < firstUserTurn.length()) {
      if (firstUserTurn.startsWith("{problem}", at)) {
        out.append(problem);
        at += "{problem}".length();
      } else if (firstUserTurn.startsWith("{step}", at)) {
        out.append(firstStep);
        at += "{step}".length();
      } else {
        out.append(firstUserTurn.charAt(at++));
      }
    }
    return out.toString();
  }

  public String codeOutput(String output) {
    return codeOutput.replace("{output}", output);
  }

  /** The text where the analysis stops, without its line break, as GenPRM splits on it. */
  String analyzeClosingTag() {
    return analyzeStop.strip();
  }
}
