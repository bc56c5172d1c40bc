package ai.coach.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchPlanTest {

  /** Example i has length 2 + i % 97 and its first token is i, so batches reveal which examples they hold. */
  private static List<SftData.Example> examples(int n) {
    List<SftData.Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int len = 2 + (i * 37) % 97;
      int[] ids = new int[len];
      ids[0] = i;
      out.add(new SftData.Example(ids, new float[len]));
    }
    return out;
  }

  @Test
  void eachEpochVisitsEveryFullBatchOnceWithLittlePaddingAndSeekReproducesIt() {
    List<SftData.Example> ex = examples(1000);
    BatchPlan plan = new BatchPlan(ex, 8, 42);
    Set<Integer> seen = new HashSet<>();
    long padded = 0;
    long real = 0;
    List<int[]> epoch0 = new ArrayList<>();
    for (int b = 0; b < plan.batchesPerEpoch(); b++) {
      TokenBatch batch = plan.next();
      epoch0.add(batch.inputIds());
      for (int r = 0; r < batch.rows(); r++) assertTrue(seen.add(batch.inputIds()[r * batch.length()]));
      padded += (long) batch.rows() * batch.length();
    }
    for (int i : seen) real += ex.get(i).ids().length;
    assertEquals(1000, seen.size());
    assertTrue(padded < real * 1.1, "padding " + padded + " vs " + real + " real tokens");

    int[] nextEpochFirst = plan.next().inputIds();
    BatchPlan resumed = new BatchPlan(ex, 8, 42);
    resumed.seek(0, 5);
    assertArrayEquals(epoch0.get(5), resumed.next().inputIds());
    resumed.seek(1, 0);
    assertArrayEquals(nextEpochFirst, resumed.next().inputIds());
    assertTrue(!java.util.Arrays.equals(epoch0.get(0), nextEpochFirst), "epochs are shuffled differently");
  }
}
