package ai.coach.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.lm.CheckpointException;
import ai.coach.lm.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Qwen2-style byte-level BPE encodes and decodes exactly as Hugging Face tokenizers does. */
class TokenizerParityTest {

  @Test
  void encodeAndDecodeMatchHuggingFace() throws Exception {
    JsonNode cases = Fixtures.json("tokenizer/cases.json").path("cases");
    assertTrue(cases.size() >= 20);
    try (Tokenizer tok = Tokenizer.load(Fixtures.dir("tokenizer"))) {
      for (JsonNode c : cases) {
        int[] ids = Fixtures.ints(c.path("ids"));
        // Cases without text decode id runs that split a UTF-8 character.
        if (!c.path("text").isNull()) {
          assertArrayEquals(ids, tok.encode(c.path("text").asText()), "encode " + c.path("text"));
        }
        assertEquals(c.path("decoded").asText(), tok.decode(ids), "decode " + c.path("ids"));
      }
    }
  }

  @Test
  void digitsAreSingleTokens() {
    try (Tokenizer tok = Tokenizer.load(Fixtures.dir("tokenizer"))) {
      assertEquals(5, tok.encode("12345").length);
      assertEquals(tok.singleTokenId("7"), tok.encode("7")[0]);
      assertThrows(IllegalArgumentException.class, () -> tok.singleTokenId("12"));
    }
  }

  @Test
  void missingTokenizerIsNamed(@TempDir Path dir) {
    CheckpointException e = assertThrows(CheckpointException.class, () -> Tokenizer.load(dir));
    assertTrue(e.getMessage().contains("tokenizer.json"));
  }
}
