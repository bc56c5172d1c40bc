package ai.coach.tokenizer;

import ai.coach.lm.CheckpointException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code chat_template} of a model's {@code tokenizer_config.json}, rendered with Jinjava
 * under the settings transformers uses (trim_blocks, lstrip_blocks), with the same variables:
 * {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}.
 */
public final class ChatTemplate {

  /** One chat turn. */
  public record Message(String role, String content) {
    public static Message system(String content) {
      return new Message("system", content);
    }

    public static Message user(String content) {
      return new Message("user", content);
    }

    public static Message assistant(String content) {
      return new Message("assistant", content);
    }
  }

  private final Path file;
  private final String template;
  private final Map<String, Object> specialTokens;
  private final Jinjava jinjava;

  private ChatTemplate(Path file, String template, Map<String, Object> specialTokens) {
    this.file = file;
    this.template = template;
    this.specialTokens = specialTokens;
    // Jinjava's defaults differ from Python Jinja2 in ways chat templates rely on: "{{-" must
    // trim, "{{ -1 }}" must stay a number, iterating a dict yields its keys. (Jinjava's
    // "natural" operator precedence is left off: it reads "not x is defined" unlike Jinja2.)
    this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
        .withTrimBlocks(true)
        .withLstripBlocks(true)
        .withFailOnUnknownTokens(false)
        .withLegacyOverrides(LegacyOverrides.newBuilder()
            .withUseTrimmingForNotesAndExpressions(true)
            .withParseWhitespaceControlStrictly(true)
            .withIterateOverMapKeys(true)
            .withEvaluateMapKeys(true)
            .build())
        .build());
    this.jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
        "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
  }

  public static ChatTemplate load(Path dir) {
    Path file = dir.resolve("tokenizer_config.json");
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(file, "file not found (needed for the chat template)");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointException(file, "unreadable JSON: " + e.getMessage(), e);
    }
    JsonNode node = root.path("chat_template");
    String template = null;
    if (node.isTextual()) {
      template = node.asText();
    } else if (node.isArray()) {
      for (JsonNode t : node) {
        if (t.path("name").asText().equals("default")) template = t.path("template").asText();
      }
    }
    if (template == null) {
      Path jinja = dir.resolve("chat_template.jinja");
      if (Files.isRegularFile(jinja)) {
        try {
          template = Files.readString(jinja);
        } catch (IOException e) {
          throw new CheckpointException(jinja, "unreadable: " + e.getMessage(), e);
        }
      }
    }
    if (template == null) {
      throw new CheckpointException(file, "no 'chat_template' (a string, or a list with a 'default' entry)");
    }
    Map<String, Object> special = new HashMap<>();
    for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
      JsonNode t = root.path(key);
      special.put(key, t.isObject() ? t.path("content").asText() : t.isTextual() ? t.asText() : "");
    }
    return new ChatTemplate(file, template, special);
  }

  public String render(List<Message> messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> msgs = new ArrayList<>();
    for (Message m : messages) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role());
      map.put("content", m.content());
      msgs.add(map);
    }
    Map<String, Object> context = new HashMap<>(specialTokens);
    context.put("messages", msgs);
    context.put("add_generation_prompt", addGenerationPrompt);
    RenderResult result = jinjava.renderForResult(template, context);
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw new IllegalArgumentException(file + ": chat template failed: " + error.getMessage());
      }
    }
    return result.getOutput();
  }

  /** Called by templates that reject a conversation (e.g. roles out of order). */
  public static String raiseException(String message) {
    throw new IllegalArgumentException("chat template refused the conversation: " + message);
  }
}
