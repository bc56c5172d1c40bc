package ai.coach.critic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriticPromptsTest {

  @TempDir Path dir;

  @Test
  void genprmTextsAreTheReferenceStrings() {
    CriticPrompts p = CriticPrompts.genprm();
    assertEquals("<analyze>\nLet's analyze the Paragraph 3 step by step: ", p.analyzePrefix(3));
    assertEquals("<verify>\nLet's use python code to find any potential error:\n```python\n", p.verifyPrefix());
    assertEquals("<output>\n**Judgement**: $\\boxed", p.outputPrefix());
    assertEquals("[Code Output]\n\n```\n4\n```\n", p.codeOutput("4"));
    assertEquals("Find {step}.\n2 = 2", p.firstUserTurn("Find {step}.", "2 = 2"));
    assertTrue(p.systemDirect().contains("`\\boxed{Yes}`"), p.systemDirect());
  }

  @Test
  void unknownOrMissingKeysAreErrorsNamingTheKey() throws IOException {
    String yaml = new String(CriticPrompts.class.getClassLoader().getResourceAsStream(CriticPrompts.DEFAULT_RESOURCE).readAllBytes());
    Path extra = dir.resolve("extra.yaml");
    Files.writeString(extra, yaml + "\nanalyse_prefix: typo\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CriticPrompts.load(extra));
    assertTrue(e.getMessage().contains("extra.yaml") && e.getMessage().contains("'analyse_prefix'"), e.getMessage());
    Path missing = dir.resolve("missing.yaml");
    Files.writeString(missing, yaml.replaceAll("(?m)^output_stop:.*$", ""));
    e = assertThrows(IllegalArgumentException.class, () -> CriticPrompts.load(missing));
    assertTrue(e.getMessage().contains("'output_stop'"), e.getMessage());
  }

  @Test
  void criticConfigBindsFromYamlWithModesByTheirCliNames() throws IOException {
    com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(
        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
    String text = yaml.writeValueAsString(CriticConfig.DEFAULTS.withMode(CriticMode.ANALYZE));
    assertTrue(text.contains("mode: \"analyze\""), text);
    assertEquals(CriticConfig.DEFAULTS.withMode(CriticMode.ANALYZE), yaml.readValue(text, CriticConfig.class));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CriticMode.parse("verify"));
    assertTrue(e.getMessage().contains("full, analyze or direct"), e.getMessage());
  }
}
