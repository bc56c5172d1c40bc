package ai.coach.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.lm.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The published Qwen2.5 and DeepSeek-R1-Distill chat templates render, under Jinjava, the same
 * string transformers' apply_chat_template renders, and that string encodes to the same ids.
 */
class ChatTemplateParityTest {

  @Test
  void rendersLikeTransformers() throws Exception {
    JsonNode fixture = Fixtures.json("chat/cases.json");
    try (Tokenizer tok = Tokenizer.load(Fixtures.dir("tokenizer"))) {
      int checked = 0;
      for (JsonNode c : fixture.path("cases")) {
        String templateDir = Path.of(fixture.path("configs").path(c.path("template").asText()).asText()).getParent().toString();
        ChatTemplate template = ChatTemplate.load(Fixtures.dir("chat/" + templateDir));
        List<ChatTemplate.Message> messages = new ArrayList<>();
        for (JsonNode m : c.path("messages")) {
          messages.add(new ChatTemplate.Message(m.path("role").asText(), m.path("content").asText()));
        }
        String rendered = template.render(messages, c.path("add_generation_prompt").asBoolean());
        String label = c.path("template").asText() + "/" + c.path("name").asText();
        assertEquals(c.path("rendered").asText(), rendered, label);
        assertArrayEquals(Fixtures.ints(c.path("ids")), tok.encode(rendered), label);
        checked++;
      }
      assertTrue(checked >= 8, "expected cases for both templates, got " + checked);
    }
  }
}
