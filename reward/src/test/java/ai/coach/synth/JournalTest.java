package ai.coach.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

  record Item(String id, int value) {}

  @Test
  void aLineCutOffByAKillIsDroppedAndTheRestKept(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("stage.jsonl");
    try (Journal<Item> j = Journal.open(file, Item.class)) {
      j.append(List.of(new Item("a", 1), new Item("b", 2)));
    }
    Files.writeString(file, Files.readString(file) + "{\"id\":\"c\",\"val", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    try (Journal<Item> j = Journal.open(file, Item.class)) {
      assertEquals(List.of(new Item("a", 1), new Item("b", 2)), j.records());
      j.append(List.of(new Item("c", 3)));
    }
    assertEquals(List.of(new Item("a", 1), new Item("b", 2), new Item("c", 3)),
        Journal.readFinished(file, Item.class, "test"));
  }

  @Test
  void aBadLineInTheMiddleIsAnErrorNamingTheLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("stage.jsonl");
    Files.writeString(file, "{\"id\":\"a\",\"value\":1}\nnot json\n{\"id\":\"b\",\"value\":2}\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Journal.open(file, Item.class));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void aMissingStageFileSaysWhichStageToRun(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Journal.readFinished(dir.resolve("monte_carlo.jsonl"), Item.class, "monte-carlo"));
    assertTrue(e.getMessage().contains("run the 'monte-carlo' stage first"), e.getMessage());
  }
}
