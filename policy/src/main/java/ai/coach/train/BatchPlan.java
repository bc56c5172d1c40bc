package ai.coach.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The order in which examples are visited: each epoch an order drawn from {@code seed} and the
 * epoch number alone, cut into batches of similar lengths. A position (epoch, batch index) is
 * therefore all a checkpoint needs to continue with exactly the batches an uninterrupted run
 * would have seen.
 */
public final class BatchPlan {

  /** Batches per length-sorting window: enough to find similar lengths, few enough to stay random. */
  private static final int WINDOW = 50;

  private final List<SftData.Example> examples;
  private final int batchSize;
  private final long seed;
  private int epoch;
  private int cursor;
  private int[] order;

  public BatchPlan(List<SftData.Example> examples, int batchSize, long seed) {
    this.examples = examples;
    this.batchSize = Math.min(batchSize, examples.size());
    this.seed = seed;
    this.order = permutation(0);
  }

  public int epoch() {
    return epoch;
  }

  /** Batches already taken in the current epoch. */
  public int cursor() {
    return cursor;
  }

  public int batchesPerEpoch() {
    return examples.size() / batchSize;
  }

  /** Continues from a checkpoint's position. */
  public void seek(int epoch, int cursor) {
    this.epoch = epoch;
    this.cursor = cursor;
    this.order = permutation(epoch);
  }

  /** The next batch; a partial last batch is dropped so every step sees the same number of sequences. */
  public TokenBatch next() {
    if (cursor >= batchesPerEpoch()) {
      epoch++;
      cursor = 0;
      order = permutation(epoch);
    }
    List<SftData.Example> picked = new ArrayList<>(batchSize);
    for (int i = 0; i < batchSize; i++) picked.add(examples.get(order[cursor * batchSize + i]));
    cursor++;
    return toBatch(picked);
  }

  /**
   * The epoch's visiting order, batch after batch. Examples are shuffled, then sorted by length
   * within windows of {@link #WINDOW} batches so a batch holds examples of similar length (little
   * padding), and the batches are shuffled again so lengths do not drift through the epoch.
   */
  private int[] permutation(int epoch) {
    int[] p = new int[examples.size()];
    for (int i = 0; i < p.length; i++) p[i] = i;
    Random r = new Random(seed * 1_000_003L + epoch);
    shuffle(p, r);
    int batches = batchesPerEpoch();
    int used = batches * batchSize;
    Integer[] boxed = new Integer[used];
    for (int i = 0; i < used; i++) boxed[i] = p[i];
    int window = WINDOW * batchSize;
    for (int from = 0; from < used; from += window) {
      Arrays.sort(boxed, from, Math.min(used, from + window),
          Comparator.comparingInt((Integer i) -> examples.get(i).ids().length));
    }
    int[] batchOrder = new int[batches];
    for (int b = 0; b < batches; b++) batchOrder[b] = b;
    shuffle(batchOrder, r);
    int[] out = new int[used];
    for (int b = 0; b < batches; b++) {
      for (int i = 0; i < batchSize; i++) out[b * batchSize + i] = boxed[batchOrder[b] * batchSize + i];
    }
    return out;
  }

  private static void shuffle(int[] a, Random r) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /**
   * Pads to the longest example: position t predicts token t + 1 and is scored when that token
   * is a response token.
   */
  public static TokenBatch toBatch(List<SftData.Example> picked) {
    int length = 0;
    for (SftData.Example e : picked) length = Math.max(length, e.ids().length);
    int rows = picked.size();
    int[] ids = new int[rows * length];
    int[] targets = new int[rows * length];
    float[] mask = new float[rows * length];
    for (int r = 0; r < rows; r++) {
      SftData.Example e = picked.get(r);
      int base = r * length;
      System.arraycopy(e.ids(), 0, ids, base, e.ids().length);
      for (int t = 0; t + 1 < e.ids().length; t++) {
        targets[base + t] = e.ids()[t + 1];
        mask[base + t] = e.lossMask()[t + 1];
      }
    }
    return TokenBatch.supervised(rows, length, ids, targets, mask);
  }
}
