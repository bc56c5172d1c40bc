package ai.coach.critic;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How much of the critique protocol runs; the lesser modes exist for ablations. */
public enum CriticMode {
  /** Analysis, then Python verification executed in the sandbox, then the judgement. */
  FULL,
  /** Analysis, then the judgement; no code. */
  ANALYZE,
  /** The judgement alone, under a system prompt that asks for it directly. */
  DIRECT;

  /** Also how YAML configs name a mode. */
  @JsonCreator
  public static CriticMode parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("critic mode must be full, analyze or direct, got '" + text + "'");
    }
  }

  @JsonValue
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
