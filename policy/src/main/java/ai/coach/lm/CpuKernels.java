package ai.coach.lm;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The elementwise parts of a layer (RMSNorm, rotary embedding, SiLU gating) as single loops
 * over fp32 memory on the CPU backend. Written as ND4J ops each is four to eight ops over small
 * arrays, and a decode step is dominated by per-op overhead and by ND4J's slow broadcasting
 * path; one loop does the same work in one pass with no temporaries. Only used for contiguous
 * fp32 arrays on the CPU backend; {@link #applies} says when, and the model keeps an ND4J-op
 * path for everything else (fp16/bf16, the CUDA backend).
 */
final class CpuKernels {

  private static final boolean CPU = Nd4j.getBackend().getClass().getSimpleName().startsWith("Cpu");

  private CpuKernels() {}

  static boolean applies(INDArray... arrays) {
    if (!CPU) return false;
    for (INDArray a : arrays) {
      if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || !Shape.hasDefaultStridesForShape(a)) return false;
    }
    return true;
  }

  private static FloatBuffer buf(INDArray a) {
    return a.data().asNioFloat();
  }

  /** out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w, rows of a [rows, cols] array. */
  static void rmsNorm(INDArray x, INDArray weight, double eps, INDArray out) {
    int rows = (int) x.rows();
    int cols = (int) x.columns();
    FloatBuffer xs = buf(x);
    FloatBuffer ws = buf(weight);
    FloatBuffer os = buf(out);
    float[] w = new float[cols];
    ws.get((int) weight.offset(), w);
    float[] row = new float[cols];
    for (int r = 0; r < rows; r++) {
      xs.get((int) x.offset() + r * cols, row);
      double sum = 0;
      for (float v : row) sum += (double) v * v;
      float scale = (float) (1.0 / Math.sqrt(sum / cols + eps));
      for (int c = 0; c < cols; c++) row[c] = row[c] * scale * w[c];
      os.put((int) out.offset() + r * cols, row);
    }
  }

  /**
   * Rotates x [rows, heads, 2*half] in place: row r uses the angles of positions[r] from the
   * [positions, half] cos and sin tables.
   */
  static void rope(INDArray x, int[] positions, float[] cosTable, float[] sinTable, int half) {
    int rows = (int) x.size(0);
    int heads = (int) x.size(1);
    FloatBuffer xs = buf(x);
    int base = (int) x.offset();
    float[] v = new float[2 * half];
    for (int r = 0; r < rows; r++) {
      int angles = positions[r] * half;
      for (int h = 0; h < heads; h++) {
        int at = base + (r * heads + h) * 2 * half;
        xs.get(at, v);
        for (int i = 0; i < half; i++) {
          float c = cosTable[angles + i];
          float s = sinTable[angles + i];
          float x1 = v[i];
          float x2 = v[i + half];
          v[i] = x1 * c - x2 * s;
          v[i + half] = x2 * c + x1 * s;
        }
        xs.put(at, v);
      }
    }
  }

  /** out[r, i] = silu(gateUp[r, i]) * gateUp[r, inter + i] for a fused [rows, 2*inter] input. */
  static void siluGate(INDArray gateUp, int inter, INDArray out) {
    int rows = (int) gateUp.rows();
    FloatBuffer in = buf(gateUp);
    FloatBuffer os = buf(out);
    float[] row = new float[2 * inter];
    float[] res = new float[inter];
    for (int r = 0; r < rows; r++) {
      in.get((int) gateUp.offset() + r * 2 * inter, row);
      for (int i = 0; i < inter; i++) {
        float g = row[i];
        res[i] = g / (1.0f + (float) Math.exp(-g)) * row[inter + i];
      }
      os.put((int) out.offset() + r * inter, res);
    }
  }

  /**
   * Writes rows [row0, row0 + n) of k and v ([rows, kvHeads, headDim], contiguous) into a cache
   * [layers, 2, kvHeads, capacity, headDim] at positions [position, position + n) of a layer.
   */
  static void writeKv(INDArray cache, int layer, int capacity, int position, INDArray k, INDArray v, int row0, int n) {
    int kvHeads = (int) k.size(1);
    int d = (int) k.size(2);
    FloatBuffer c = buf(cache);
    FloatBuffer ks = buf(k);
    FloatBuffer vs = buf(v);
    float[] row = new float[d];
    for (int t = 0; t < n; t++) {
      for (int h = 0; h < kvHeads; h++) {
        int src = ((row0 + t) * kvHeads + h) * d;
        int keyAt = (int) cache.offset() + (((layer * 2) * kvHeads + h) * capacity + position + t) * d;
        int valueAt = keyAt + kvHeads * capacity * d;
        ks.get((int) k.offset() + src, row);
        c.put(keyAt, row);
        vs.get((int) v.offset() + src, row);
        c.put(valueAt, row);
      }
    }
  }

  /**
   * Copies attention output [kvHeads, n * group, headDim] (rows ordered position, head-in-group)
   * into rows [row0, row0 + n) of out [rows, heads * headDim].
   */
  static void scatterHeads(INDArray attn, int n, int group, INDArray out, int row0) {
    int kvHeads = (int) attn.size(0);
    int d = (int) attn.size(2);
    int width = (int) out.size(1);
    FloatBuffer a = buf(attn);
    FloatBuffer o = buf(out);
    float[] row = new float[d];
    for (int h = 0; h < kvHeads; h++) {
      for (int t = 0; t < n; t++) {
        for (int g = 0; g < group; g++) {
          a.get((int) attn.offset() + ((h * n + t) * group + g) * d, row);
          o.put((int) out.offset() + (row0 + t) * width + (h * group + g) * d, row);
        }
      }
    }
  }

  /** In-place softmax of values[from, from + n). */
  static void softmax(float[] values, int from, int n) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = from; i < from + n; i++) max = Math.max(max, values[i]);
    double sum = 0;
    for (int i = from; i < from + n; i++) {
      float e = (float) Math.exp(values[i] - max);
      values[i] = e;
      sum += e;
    }
    float inv = (float) (1.0 / sum);
    for (int i = from; i < from + n; i++) values[i] *= inv;
  }

  /**
   * Splits fused projections qkv [rows, qDim + 2 kvDim] into contiguous q, k and v, adding the
   * biases (bias may be null) on the way and multiplying q by qScale.
   */
  static void splitQkv(INDArray qkv, INDArray bias, float qScale, INDArray q, INDArray k, INDArray v) {
    int rows = (int) qkv.rows();
    int width = (int) qkv.columns();
    int qDim = (int) (q.length() / rows);
    int kvDim = (int) (k.length() / rows);
    FloatBuffer in = buf(qkv);
    float[] row = new float[width];
    float[] b = new float[width];
    if (bias != null) buf(bias).get((int) bias.offset(), b);
    FloatBuffer qs = buf(q);
    FloatBuffer ks = buf(k);
    FloatBuffer vs = buf(v);
    for (int r = 0; r < rows; r++) {
      in.get((int) qkv.offset() + r * width, row);
      for (int c = 0; c < width; c++) row[c] += b[c];
      for (int c = 0; c < qDim; c++) row[c] *= qScale;
      qs.put((int) q.offset() + r * qDim, row, 0, qDim);
      ks.put((int) k.offset() + r * kvDim, row, qDim, kvDim);
      vs.put((int) v.offset() + r * kvDim, row, qDim + kvDim, kvDim);
    }
  }
}
