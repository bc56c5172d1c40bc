package ai.coach.lm;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A sequence of the ND4J engine: its tokens, the logits after its last token, and its KV cache,
 * one off-heap array [layers, 2 (keys, values), kvHeads, capacity, headDim]. The capacity
 * doubles when a sequence outgrows it, so appending one token at a time costs amortised O(1)
 * copies. Forks copy the filled part of the cache: each copy then grows independently, and the
 * prefix is never recomputed.
 */
public final class KvSequence implements SequenceState {

  private static final int INITIAL_CAPACITY = 64;

  private final ModelConfig config;
  private final DataType dtype;
  private int[] tokens = new int[16];
  private int length;
  private float[] nextLogits;
  private INDArray cache;
  private int capacity;
  private boolean closed;

  KvSequence(ModelConfig config, DataType dtype) {
    this.config = config;
    this.dtype = dtype;
  }

  @Override
  public int[] tokens() {
    return Arrays.copyOf(tokens, length);
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public float[] nextLogits() {
    return nextLogits;
  }

  boolean belongsTo(ModelConfig c) {
    return config == c;
  }

  boolean isClosed() {
    return closed;
  }

  /** Grows the cache (outside any workspace: it outlives the forward pass) to hold {@code needed}. */
  void reserve(int needed) {
    if (needed <= capacity) return;
    int cap = Math.min(config.maxPositions(), Math.max(needed, Math.max(INITIAL_CAPACITY, capacity * 2)));
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      INDArray grown = Nd4j.create(dtype, config.numLayers(), 2, config.numKvHeads(), cap, config.headDim());
      if (cache != null) {
        if (length > 0) {
          grown.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, length), NDArrayIndex.all())
              .assign(filled());
        }
        cache.close();
      }
      cache = grown;
    }
    capacity = cap;
  }

  private INDArray filled() {
    return cache.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, length), NDArrayIndex.all());
  }

  /** The whole cache array, for kernels that index it directly. */
  INDArray cache() {
    return cache;
  }

  int capacity() {
    return capacity;
  }

  /** View [kvHeads, capacity, headDim] of one layer's keys. */
  INDArray keys(int layer) {
    return cache.get(NDArrayIndex.point(layer), NDArrayIndex.point(0));
  }

  INDArray values(int layer) {
    return cache.get(NDArrayIndex.point(layer), NDArrayIndex.point(1));
  }

  /** Records tokens whose keys and values were just written, and the logits after them. */
  void accept(int[] chunk, float[] logits) {
    if (length + chunk.length > tokens.length) {
      tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, length + chunk.length));
    }
    System.arraycopy(chunk, 0, tokens, length, chunk.length);
    length += chunk.length;
    nextLogits = logits;
  }

  KvSequence copy() {
    KvSequence c = new KvSequence(config, dtype);
    c.tokens = Arrays.copyOf(tokens, tokens.length);
    c.length = length;
    c.nextLogits = nextLogits;
    if (length > 0) {
      c.reserve(length);
      c.filled().assign(filled());
    }
    return c;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (cache != null) cache.close();
    cache = null;
  }
}
