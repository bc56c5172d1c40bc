package ai.coach.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {

  @TempDir Path dir;

  @Test
  void problemsAndItemsRoundTripWithTheDocumentedKeys() throws Exception {
    List<ArithmeticProblem> problems = new ArithmeticGenerator(1, Split.DEV).generate(20);
    Path pf = dir.resolve("sub/problems.jsonl");
    JsonLines.write(pf, problems);
    assertEquals(problems, JsonLines.read(pf, ArithmeticProblem.class));
    assertTrue(Files.readAllLines(pf).get(0).matches("\\{\"id\":.*,\"problem\":.*,\"steps\":\\[.*],\"answer\":\"\\d+\"}"));

    List<ProcessBenchItem> items =
        ErrorInjector.processBench(20, 1, Split.TEST).stream().map(ErrorInjector.Labelled::item).toList();
    Path itf = dir.resolve("items.jsonl");
    JsonLines.write(itf, items);
    assertEquals(items, JsonLines.read(itf, ProcessBenchItem.class));
    String line = Files.readAllLines(itf).get(0);
    for (String key : List.of("\"id\"", "\"generator\"", "\"problem\"", "\"steps\"", "\"final_answer_correct\"", "\"label\"")) {
      assertTrue(line.contains(key + ":"), key + " missing in " + line);
    }
  }

  @Test
  void badLineNamesFileAndLine() throws Exception {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"id\":\"a\",\"problem\":\"p\",\"steps\":[\"s\"],\"answer\":\"1\"}\n{\"id\":\"b\",\"problem\":\"p\",\"steps\":[\"s\"],\"answer\":\"1\",\"oops\":1}\n");
    var e = assertThrows(IllegalArgumentException.class, () -> JsonLines.read(f, ArithmeticProblem.class));
    assertTrue(e.getMessage().contains("bad.jsonl line 2"), e.getMessage());
    assertTrue(e.getMessage().contains("oops"), e.getMessage());
  }
}
