package ai.coach.lm;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas.cblas_sgemv;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * OpenBLAS called directly on ND4J arrays' memory (the same library ND4J uses). A decode step is
 * dozens of small products; through ND4J's op dispatch one costs 40-80 µs on our machines, a
 * direct {@code cblas_sgemm} about 5 µs. Only for fp32 arrays on the CPU backend
 * ({@link CpuKernels#applies}).
 */
final class Blas {

  private Blas() {}

  static FloatPointer pointer(INDArray a) {
    return new FloatPointer(a.data().addressPointer()).position(a.offset());
  }

  /** c = a · wᵀ + beta · c for row-major a [m, k], w [n, k] (a Hugging Face weight), c [m, n]. */
  static void gemmNT(INDArray a, INDArray w, INDArray c, float beta) {
    int m = (int) a.rows();
    int k = (int) a.columns();
    int n = (int) w.rows();
    if (m == 1) {
      // A single row is a matrix-vector product; sgemm would pack the whole weight first.
      cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1f, pointer(w), k, pointer(a), 1, beta, pointer(c), 1);
      return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1f, pointer(a), k, pointer(w), k, beta, pointer(c), n);
  }

  /** Row-major c [m, n] = alpha · a [m, k] · (b or bᵀ), with explicit leading dimensions. */
  static void gemm(boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda, FloatPointer b, int ldb,
      FloatPointer c, int ldc) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, 0f, c, ldc);
  }
}
