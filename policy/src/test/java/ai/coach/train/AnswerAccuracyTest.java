package ai.coach.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnswerAccuracyTest {

  private static final Path MODEL = Path.of("src/test/resources/fixtures/models/gqa-tied");

  @TempDir Path tmp;

  @Test
  void theLastBoxedAnswerIsComparedAsAnInteger() {
    assertEquals("12", AnswerAccuracy.lastBoxed("so \\boxed{3}, no: \\boxed{ 12 }."));
    assertNull(AnswerAccuracy.lastBoxed("no answer"));
    assertTrue(AnswerAccuracy.matches("1,776", "1776"));
    assertTrue(AnswerAccuracy.matches("042", "42"));
    assertFalse(AnswerAccuracy.matches("43", "42"));
    assertFalse(AnswerAccuracy.matches(null, "42"));
    assertTrue(AnswerAccuracy.matches("x + 1", "x + 1"));
  }

  @Test
  void problemsAreRenderedAsAChatPromptEndingInTheAssistantTurn() throws Exception {
    Path file = tmp.resolve("p.jsonl");
    Files.write(file, List.of("{\"problem\": \"What is 2 + 2?\", \"answer\": \"4\"}", "{\"prompt\": \"And 3 + 3?\", \"answer\": 6}"));
    try (Tokenizer tok = Tokenizer.load(MODEL)) {
      List<AnswerAccuracy.Problem> ps = AnswerAccuracy.read(file, tok, ChatTemplate.load(MODEL), "Be brief.", 0);
      assertEquals(2, ps.size());
      String text = tok.decode(ps.get(1).prompt());
      assertTrue(text.contains("Be brief.") && text.contains("And 3 + 3?") && text.endsWith("<|im_start|>assistant\n"), text);
      assertEquals("6", ps.get(1).answer());
      assertEquals(1, AnswerAccuracy.read(file, tok, ChatTemplate.load(MODEL), null, 1).size());
      Files.write(file, List.of("{\"question\": \"x\"}"));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> AnswerAccuracy.read(file, tok, ChatTemplate.load(MODEL), null, 0));
      assertTrue(e.getMessage().contains("p.jsonl line 1"), e.getMessage());
    }
  }
}
