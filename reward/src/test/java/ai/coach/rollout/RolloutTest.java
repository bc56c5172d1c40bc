package ai.coach.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.coach.lm.ModelRegistry;
import ai.coach.lm.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A batch of tasks gives the same sampled solutions however it is split, so a thread pool and a
 * Spark partitioning of the same tasks agree. Uses the random-weight fixture checkpoint (with a
 * byte-level tokenizer and chat template) of the policy module.
 */
class RolloutTest {

  static final Path MODEL = Path.of("../policy/src/test/resources/fixtures/models/gqa-tied").toAbsolutePath().normalize();

  @AfterAll
  static void release() {
    ModelRegistry.closeAll();
  }

  @Test
  void solutionsDoNotDependOnBatching() {
    List<Task> tasks = List.of(new Task("a", "What is 3 + 4?", "7"), new Task("b", "What is 12 x 3?", "36"),
        new Task("c", "Halve 90.", "45"));
    PolicySpec spec = new PolicySpec(MODEL.toString(), "float32", new SamplingParams(0.9, 0.95, 0, 12, 5, 0, List.of()), null);
    List<Solution> together = Rollout.solve(tasks, spec, 2);
    List<Solution> apart = new ArrayList<>();
    for (Task t : tasks) apart.addAll(Rollout.solve(List.of(t), spec, 2));
    assertEquals(6, together.size());
    for (int i = 0; i < together.size(); i++) {
      assertEquals(together.get(i).taskId(), apart.get(i).taskId());
      assertEquals(together.get(i).text(), apart.get(i).text(), "solution " + i);
    }
    assertNotEquals(together.get(0).text(), together.get(1).text(), "the samples of a task differ");
  }
}
