package ai.coach.train;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Elementwise chains of the backward pass as single Java loops over the arrays' native memory.
 * ND4J runs each op as its own pass (and its own native call); a chain of five or eight such
 * passes over a few million elements costs about four times one fused loop, which the JIT
 * compiles to vector code. Transcendentals (exp, sigmoid) stay in ND4J, whose versions are faster.
 *
 * <p>Every array must be dense in C order (a contiguous block, possibly at an offset into a
 * larger buffer); FLOAT and DOUBLE each have their loop.
 */
final class Kernels {

  private Kernels() {}

  /**
   * SwiGLU backward on [features, positions] arrays: from σ(gate), silu(gate), up and d act,
   * writes d gate = d act · up · silu'(gate) and d up = d act · silu(gate), where
   * silu'(g) = σ(g) + silu(g) · (1 − σ(g)).
   */
  static void swigluBackward(INDArray sig, INDArray silu, INDArray up, INDArray dAct, INDArray dGate, INDArray dUp) {
    int n = length(sig, silu, up, dAct, dGate, dUp);
    if (sig.dataType() == DataType.FLOAT) {
      FloatBuffer s = floats(sig), l = floats(silu), u = floats(up), d = floats(dAct), g = floats(dGate), v = floats(dUp);
      int os = off(sig), ol = off(silu), ou = off(up), od = off(dAct), og = off(dGate), ov = off(dUp);
      forParts(n, (lo, hi) -> {
        for (int i = lo; i < hi; i++) {
          float si = s.get(os + i);
          float li = l.get(ol + i);
          float di = d.get(od + i);
          g.put(og + i, di * u.get(ou + i) * (si + li * (1 - si)));
          v.put(ov + i, di * li);
        }
      });
    } else {
      DoubleBuffer s = doubles(sig), l = doubles(silu), u = doubles(up), d = doubles(dAct), g = doubles(dGate), v = doubles(dUp);
      int os = off(sig), ol = off(silu), ou = off(up), od = off(dAct), og = off(dGate), ov = off(dUp);
      forParts(n, (lo, hi) -> {
        for (int i = lo; i < hi; i++) {
          double si = s.get(os + i);
          double li = l.get(ol + i);
          double di = d.get(od + i);
          g.put(og + i, di * u.get(ou + i) * (si + li * (1 - si)));
          v.put(ov + i, di * li);
        }
      });
    }
  }

  /**
   * Rotary embedding of x [rows, heads, 2 · half] in place, rotate-half layout, with per-row
   * tables cos, sin [rows, half]; {@code inverse} rotates back (the backward pass).
   */
  static void rope(INDArray x, INDArray cos, INDArray sin, boolean inverse) {
    int rows = (int) x.size(0);
    int heads = (int) x.size(1);
    int dim = (int) x.size(2);
    int half = dim / 2;
    length(cos, sin);
    if (cos.length() != (long) rows * half) throw new IllegalArgumentException("rope tables do not match " + rows + " rows");
    double sign = inverse ? -1 : 1;
    if (x.dataType() == DataType.FLOAT) {
      FloatBuffer a = floats(x), c = floats(cos), s = floats(sin);
      int ox = off(x), oc = off(cos), os = off(sin);
      float sg = (float) sign;
      forParts(rows, (lo, hi) -> {
        for (int r = lo; r < hi; r++) {
          int t = r * half;
          for (int h = 0; h < heads; h++) {
            int base = ox + (r * heads + h) * dim;
            for (int i = 0; i < half; i++) {
              float ci = c.get(oc + t + i);
              float si = sg * s.get(os + t + i);
              float x1 = a.get(base + i);
              float x2 = a.get(base + half + i);
              a.put(base + i, x1 * ci - x2 * si);
              a.put(base + half + i, x2 * ci + x1 * si);
            }
          }
        }
      });
    } else {
      DoubleBuffer a = doubles(x), c = doubles(cos), s = doubles(sin);
      int ox = off(x), oc = off(cos), os = off(sin);
      forParts(rows, (lo, hi) -> {
        for (int r = lo; r < hi; r++) {
          int t = r * half;
          for (int h = 0; h < heads; h++) {
            int base = ox + (r * heads + h) * dim;
            for (int i = 0; i < half; i++) {
              double ci = c.get(oc + t + i);
              double si = sign * s.get(os + t + i);
              double x1 = a.get(base + i);
              double x2 = a.get(base + half + i);
              a.put(base + i, x1 * ci - x2 * si);
              a.put(base + half + i, x2 * ci + x1 * si);
            }
          }
        }
      });
    }
  }

  /** Softmax backward row by row, in place: dp [rows, cols] becomes p ⊙ (dp − Σ dp ⊙ p). */
  static void softmaxBackward(INDArray p, INDArray dp) {
    int n = length(p, dp);
    int cols = (int) p.size(p.rank() - 1);
    int rows = n / cols;
    if (p.dataType() == DataType.FLOAT) {
      FloatBuffer a = floats(p), d = floats(dp);
      int op = off(p), od = off(dp);
      forParts(rows, (lo, hi) -> {
        for (int r = lo; r < hi; r++) {
          int b = r * cols;
          float dot = 0;
          for (int j = 0; j < cols; j++) dot += a.get(op + b + j) * d.get(od + b + j);
          for (int j = 0; j < cols; j++) d.put(od + b + j, a.get(op + b + j) * (d.get(od + b + j) - dot));
        }
      });
    } else {
      DoubleBuffer a = doubles(p), d = doubles(dp);
      int op = off(p), od = off(dp);
      forParts(rows, (lo, hi) -> {
        for (int r = lo; r < hi; r++) {
          int b = r * cols;
          double dot = 0;
          for (int j = 0; j < cols; j++) dot += a.get(op + b + j) * d.get(od + b + j);
          for (int j = 0; j < cols; j++) d.put(od + b + j, a.get(op + b + j) * (d.get(od + b + j) - dot));
        }
      });
    }
  }

  /**
   * RMSNorm backward for y = x · inv · w, rows of [rows, h]: writes d x into {@code dx} and adds
   * d w to {@code gw} [h].
   */
  static void rmsNormBackward(INDArray dy, INDArray x, INDArray inv, INDArray w, INDArray gw, INDArray dx) {
    int h = (int) w.length();
    int n = length(dy, x, dx);
    int rows = n / h;
    // Each part sums its rows' d w separately; the parts are added in order, so the result does
    // not depend on thread timing.
    double[][] partSums = new double[parts(rows)][h];
    if (dy.dataType() == DataType.FLOAT) {
      FloatBuffer fdy = floats(dy), fx = floats(x), fi = floats(inv), fw = floats(w), fdx = floats(dx);
      int ody = off(dy), ox = off(x), oi = off(inv), ow = off(w), odx = off(dx);
      forParts(rows, (lo, hi) -> {
        double[] gsum = partSums[part(lo, rows)];
        for (int r = lo; r < hi; r++) {
          int b = r * h;
          float iv = fi.get(oi + r);
          float dot = 0;
          for (int j = 0; j < h; j++) {
            float dyj = fdy.get(ody + b + j);
            float xj = fx.get(ox + b + j);
            dot += dyj * fw.get(ow + j) * xj;
            gsum[j] += dyj * xj * iv;
          }
          float coef = iv * iv * iv * dot / h;
          for (int j = 0; j < h; j++) {
            fdx.put(odx + b + j, iv * fdy.get(ody + b + j) * fw.get(ow + j) - fx.get(ox + b + j) * coef);
          }
        }
      });
    } else {
      DoubleBuffer fdy = doubles(dy), fx = doubles(x), fi = doubles(inv), fw = doubles(w), fdx = doubles(dx);
      int ody = off(dy), ox = off(x), oi = off(inv), ow = off(w), odx = off(dx);
      forParts(rows, (lo, hi) -> {
        double[] gsum = partSums[part(lo, rows)];
        for (int r = lo; r < hi; r++) {
          int b = r * h;
          double iv = fi.get(oi + r);
          double dot = 0;
          for (int j = 0; j < h; j++) {
            double dyj = fdy.get(ody + b + j);
            double xj = fx.get(ox + b + j);
            dot += dyj * fw.get(ow + j) * xj;
            gsum[j] += dyj * xj * iv;
          }
          double coef = iv * iv * iv * dot / h;
          for (int j = 0; j < h; j++) {
            fdx.put(odx + b + j, iv * fdy.get(ody + b + j) * fw.get(ow + j) - fx.get(ox + b + j) * coef);
          }
        }
      });
    }
    for (int j = 0; j < h; j++) {
      double sum = 0;
      for (double[] p : partSums) sum += p[j];
      gw.putScalar(j, gw.getDouble(j) + sum);
    }
  }

  /** dst[at[j]] += src[j] for each row j of src [m, h] (rows of dst [r, h]; repeated targets add up in order). */
  static void addRows(INDArray src, int[] at, INDArray dst) {
    int h = (int) src.size(1);
    if (dst.size(1) != h || src.size(0) != at.length) throw new IllegalArgumentException("row shapes do not match");
    length(src);
    length(dst);
    if (src.dataType() == DataType.FLOAT) {
      FloatBuffer a = floats(src), d = floats(dst);
      int oa = off(src), od = off(dst);
      for (int j = 0; j < at.length; j++) {
        int from = oa + j * h;
        int to = od + at[j] * h;
        for (int k = 0; k < h; k++) d.put(to + k, d.get(to + k) + a.get(from + k));
      }
    } else {
      DoubleBuffer a = doubles(src), d = doubles(dst);
      int oa = off(src), od = off(dst);
      for (int j = 0; j < at.length; j++) {
        int from = oa + j * h;
        int to = od + at[j] * h;
        for (int k = 0; k < h; k++) d.put(to + k, d.get(to + k) + a.get(from + k));
      }
    }
  }

  /**
   * Turns softmax rows π [m, vocab] in place into d loss / d logits = c_j · (onehot(y_j) − π_j),
   * where c_j = d loss / d log π(y_j).
   */
  static void logitGrad(INDArray probs, int[] targets, double[] coef) {
    int vocab = (int) probs.size(1);
    length(probs);
    if (probs.dataType() == DataType.FLOAT) {
      FloatBuffer p = floats(probs);
      int op = off(probs);
      forParts(coef.length, (lo, hi) -> {
        for (int j = lo; j < hi; j++) {
          float c = (float) coef[j];
          int b = op + j * vocab;
          for (int k = 0; k < vocab; k++) p.put(b + k, -c * p.get(b + k));
          p.put(b + targets[j], p.get(b + targets[j]) + c);
        }
      });
    } else {
      DoubleBuffer p = doubles(probs);
      int op = off(probs);
      forParts(coef.length, (lo, hi) -> {
        for (int j = lo; j < hi; j++) {
          double c = coef[j];
          int b = op + j * vocab;
          for (int k = 0; k < vocab; k++) p.put(b + k, -c * p.get(b + k));
          p.put(b + targets[j], p.get(b + targets[j]) + c);
        }
      });
    }
  }

  /** Threads for the loops: OMP_NUM_THREADS when set, as ND4J itself uses, else every core. */
  private static final int THREADS = threads();

  /** Below this many items a loop runs on the calling thread: forking would cost more. */
  private static final int MIN_PARALLEL = 4096;

  private static int threads() {
    String env = System.getenv("OMP_NUM_THREADS");
    if (env != null) {
      try {
        return Math.max(1, Integer.parseInt(env.trim()));
      } catch (NumberFormatException e) {
        // An unparsable value falls back to the core count, as OpenMP does.
      }
    }
    return Runtime.getRuntime().availableProcessors();
  }

  /** A loop body over items [lo, hi). */
  @FunctionalInterface
  interface Range {
    void run(int lo, int hi);
  }

  private static int parts(int n) {
    return n < MIN_PARALLEL ? 1 : Math.min(THREADS, n);
  }

  /** Which part of {@link #forParts} the range starting at {@code lo} is. */
  private static int part(int lo, int n) {
    int parts = parts(n);
    return (int) ((long) lo * parts / n);
  }

  /** Runs {@code body} over [0, n) cut into {@link #parts} contiguous ranges, in parallel when there are several. */
  private static void forParts(int n, Range body) {
    int parts = parts(n);
    if (parts == 1) {
      body.run(0, n);
      return;
    }
    IntStream.range(0, parts).parallel().forEach(p -> body.run((int) ((long) p * n / parts), (int) ((long) (p + 1) * n / parts)));
  }

  private static FloatBuffer floats(INDArray a) {
    return a.data().asNioFloat();
  }

  private static DoubleBuffer doubles(INDArray a) {
    return a.data().asNioDouble();
  }

  private static int off(INDArray a) {
    return (int) a.offset();
  }

  /** The common length of dense C-order arrays of one dtype, or an error. */
  private static int length(INDArray... arrays) {
    long n = arrays[0].length();
    for (INDArray a : arrays) {
      if (a.dataType() != arrays[0].dataType()) throw new IllegalArgumentException("mixed dtypes");
      if (a.ordering() != 'c' || !a.isVectorOrScalar() && a.elementWiseStride() != 1) {
        throw new IllegalArgumentException("kernel arrays must be dense in C order");
      }
    }
    for (INDArray a : arrays) {
      if (a.length() != n) throw new IllegalArgumentException("kernel arrays differ in length: " + a.length() + " vs " + n);
    }
    if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("array too large for one kernel");
    return (int) n;
  }
}
