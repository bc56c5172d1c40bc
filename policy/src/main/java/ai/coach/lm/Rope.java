package ai.coach.lm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Rotary position embedding in Hugging Face's rotate-half layout: a head vector's first half
 * pairs with its second half, {@code x1' = x1 cos - x2 sin}, {@code x2' = x2 cos + x1 sin}.
 * Angles are computed in float32 the way transformers computes them, so positions far into a
 * sequence round the same way as the reference. On the CPU backend in fp32 the rotation is one
 * loop over the tables ({@link CpuKernels#rope}); elsewhere it is ND4J ops on gathered rows.
 */
public final class Rope implements AutoCloseable {

  private final int half;
  private final double theta;
  private final DataType dtype;
  private final boolean javaTables;
  private float[] cosValues = new float[0];
  private float[] sinValues = new float[0];
  private INDArray cosTable;
  private INDArray sinTable;
  private int capacity;

  Rope(int headDim, double theta, DataType dtype, boolean javaTables) {
    this.half = headDim / 2;
    this.theta = theta;
    this.dtype = dtype;
    this.javaTables = javaTables;
  }

  /**
   * 1 / theta^(2i / headDim) for i < headDim / 2, in float32 as transformers computes it, so that
   * the engine and the trainer round every angle the same way.
   */
  public static float[] inverseFrequencies(int headDim, double theta) {
    float[] invFreq = new float[headDim / 2];
    for (int i = 0; i < invFreq.length; i++) {
      invFreq[i] = 1.0f / (float) Math.pow(theta, (float) (2 * i) / (float) headDim);
    }
    return invFreq;
  }

  /** Makes the tables cover positions [0, positions). */
  void ensure(int positions) {
    if (positions <= capacity) return;
    int cap = Math.max(positions, Math.max(256, capacity * 2));
    float[] cos = new float[cap * half];
    float[] sin = new float[cap * half];
    float[] invFreq = inverseFrequencies(2 * half, theta);
    for (int p = 0; p < cap; p++) {
      for (int i = 0; i < half; i++) {
        float angle = (float) p * invFreq[i];
        cos[p * half + i] = (float) Math.cos(angle);
        sin[p * half + i] = (float) Math.sin(angle);
      }
    }
    capacity = cap;
    cosValues = cos;
    sinValues = sin;
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      close();
      cosTable = Nd4j.create(cos, new long[] {cap, half}, 'c').castTo(dtype);
      sinTable = Nd4j.create(sin, new long[] {cap, half}, 'c').castTo(dtype);
    }
  }

  /** cos rows for the given positions, shaped [rows, 1, half] to broadcast over heads. */
  private INDArray cos(int[] positions) {
    return cosTable.getRows(positions).reshape(positions.length, 1, half);
  }

  private INDArray sin(int[] positions) {
    return sinTable.getRows(positions).reshape(positions.length, 1, half);
  }

  /** Rotates x [rows, heads, 2*half] in place, row r by the angles of positions[r]. */
  void apply(INDArray x, int[] positions) {
    if (javaTables && CpuKernels.applies(x)) {
      CpuKernels.rope(x, positions, cosValues, sinValues, half);
      return;
    }
    INDArray cos = cos(positions);
    INDArray sin = sin(positions);
    INDArray x1 = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, half));
    INDArray x2 = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(half, 2 * half));
    INDArray first = x1.mul(cos).subi(x2.mul(sin));
    INDArray second = x2.mul(cos).addi(x1.mul(sin));
    x1.assign(first);
    x2.assign(second);
  }

  @Override
  public void close() {
    if (cosTable != null) cosTable.close();
    if (sinTable != null) sinTable.close();
  }
}
