package ai.coach.prm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessBenchTest {

  @TempDir Path dir;

  @Test
  void readsJsonArraysAndJsonLinesNamedByFileStem() throws IOException {
    Path array = dir.resolve("gsm8k.json");
    Files.writeString(array, """
        [{"id": "g-0", "generator": "m", "problem": "1+1?", "steps": ["1+1=2", "So 2."], "final_answer_correct": true, "label": -1},
         {"id": "g-1", "generator": "m", "problem": "2+2?", "steps": ["2+2=5"], "final_answer_correct": false, "label": 0}]
        """);
    Path lines = dir.resolve("math.jsonl");
    Files.writeString(lines, "{\"id\": \"m-0\", \"problem\": \"p\", \"steps\": [\"a\", \"b\"], \"label\": 1}\n\n");
    List<ProcessBenchSubset> subsets = ProcessBench.readAll(List.of(array, lines));
    assertEquals("gsm8k", subsets.get(0).name());
    assertEquals(2, subsets.get(0).items().size());
    assertEquals(List.of("1+1=2", "So 2."), subsets.get(0).items().get(0).steps());
    assertEquals(Boolean.FALSE, subsets.get(0).items().get(1).finalAnswerCorrect());
    assertEquals("math", subsets.get(1).name());
    assertEquals(1, subsets.get(1).items().get(0).label());
    assertNull(subsets.get(1).items().get(0).generator());
    assertEquals(1, subsets.get(0).limit(1).items().size());
  }

  @Test
  void badItemsAreErrorsNamingFileLineAndKey() throws IOException {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"id\": \"a\", \"problem\": \"p\", \"steps\": [\"s\"], \"label\": -1}\n{\"id\": \"b\", \"problem\": \"p\", \"steps\": [\"s\"], \"label\": 3}\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessBench.read(f));
    assertTrue(e.getMessage().contains("bad.jsonl line 2") && e.getMessage().contains("'label'"), e.getMessage());
    Files.writeString(f, "{\"id\": \"a\", \"problem\": \"p\", \"label\": -1}\n");
    e = assertThrows(IllegalArgumentException.class, () -> ProcessBench.read(f));
    assertTrue(e.getMessage().contains("'steps'"), e.getMessage());
    Files.writeString(f, "{\"id\": \"a\", \"problem\": \"p\", \"steps\": [\"s\"], \"label\": -1}\n{\"id\": \"a\", \"problem\": \"p\", \"steps\": [\"s\"], \"label\": -1}\n");
    e = assertThrows(IllegalArgumentException.class, () -> ProcessBench.read(f));
    assertTrue(e.getMessage().contains("'a' appears twice"), e.getMessage());
  }
}
