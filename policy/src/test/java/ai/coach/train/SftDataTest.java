package ai.coach.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftDataTest {

  private static final Path MODEL = Path.of("src/test/resources/fixtures/models/gqa-tied");

  @TempDir Path tmp;

  @Test
  void onlyAssistantTokensAreTrainedOn() throws Exception {
    Path file = tmp.resolve("d.jsonl");
    Files.write(file, List.of(
        "{\"prompt\": \"What is 12 + 30?\", \"response\": \"12 + 30 = 42\"}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello\"},"
            + " {\"role\": \"user\", \"content\": \"2 * 3?\"}, {\"role\": \"assistant\", \"content\": \"6\"}]}"));
    try (Tokenizer tok = Tokenizer.load(MODEL)) {
      ChatTemplate template = ChatTemplate.load(MODEL);
      List<SftData.Example> ex = SftData.read(file, tok, template, null, 512, 795);
      assertEquals("12 + 30 = 42<|im_end|>\n", masked(tok, ex.get(0)));
      assertEquals("Hello<|im_end|>\n6<|im_end|>\n", masked(tok, ex.get(1)));
      assertTrue(tok.decode(ex.get(0).ids()).contains("What is 12 + 30?"));
    }
  }

  @Test
  void badLinesAreReportedWithFileAndLine() throws Exception {
    Path file = tmp.resolve("bad.jsonl");
    Files.write(file, List.of("{\"input_ids\": [1, 2], \"loss_mask\": [0, 1]}", "{\"question\": \"x\"}"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SftData.read(file, null, null, null, 16, 10));
    assertTrue(e.getMessage().contains("bad.jsonl line 2"), e.getMessage());
    Files.write(file, List.of("{\"input_ids\": [1, 20], \"loss_mask\": [0, 1]}"));
    e = assertThrows(IllegalArgumentException.class, () -> SftData.read(file, null, null, null, 16, 10));
    assertTrue(e.getMessage().contains("token id 20 is outside"), e.getMessage());
  }

  private static String masked(Tokenizer tok, SftData.Example e) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < e.ids().length; i++) if (e.lossMask()[i] != 0) ids.add(e.ids()[i]);
    return tok.decode(ids.stream().mapToInt(Integer::intValue).toArray());
  }
}
