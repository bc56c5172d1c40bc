package ai.coach.critic;

import java.util.Locale;

/** How much of the critique protocol runs; the lesser modes exist for ablations. */
public enum CriticMode {
  /** Analysis, then Python verification executed in the sandbox, then the judgement. */
  FULL,
  /** Analysis, then the judgement; no code. */
  ANALYZE,
  /** The judgement alone, under a system prompt that asks for it directly. */
  DIRECT;

  public static CriticMode parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("critic mode must be full, analyze or direct, got '" + text + "'");
    }
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
