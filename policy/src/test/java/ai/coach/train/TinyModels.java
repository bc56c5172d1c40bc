package ai.coach.train;

import ai.coach.lm.ModelConfig;
import java.util.List;
import java.util.Random;

/** Micro architectures for the trainer's tests. */
final class TinyModels {

  private TinyModels() {}

  /** GQA (4 query heads over 2 KV heads), q/k/v biases, tied embeddings. */
  static ModelConfig gqaTied(int vocab) {
    return new ModelConfig("Qwen2ForCausalLM", 32, 48, 2, 4, 2, 8, 10000.0, 1e-6, vocab, true, 64, "float32", true, List.of(1));
  }

  /** GQA with an untied LM head. */
  static ModelConfig gqaUntied(int vocab) {
    return new ModelConfig("Qwen2ForCausalLM", 16, 24, 2, 4, 2, 4, 10000.0, 1e-6, vocab, false, 64, "float32", true, List.of(1));
  }

  /** Multi-head attention, untied LM head. */
  static ModelConfig mhaUntied(int vocab) {
    return new ModelConfig("Qwen2ForCausalLM", 24, 40, 2, 3, 3, 8, 10000.0, 1e-6, vocab, false, 64, "float32", true, List.of(1));
  }

  static int[] randomIds(int n, int vocab, long seed) {
    Random r = new Random(seed);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) ids[i] = r.nextInt(vocab);
    return ids;
  }

  /** Next-token targets for each row, with a prompt/response style mask (first third unscored, last position unscored). */
  static TokenBatch batch(int rows, int length, int vocab, long seed) {
    int[] ids = randomIds(rows * length, vocab, seed);
    int[] targets = new int[ids.length];
    float[] mask = new float[ids.length];
    for (int r = 0; r < rows; r++) {
      for (int t = 0; t < length - 1; t++) {
        int p = r * length + t;
        targets[p] = ids[p + 1];
        mask[p] = t >= length / 3 ? 1f : 0f;
      }
    }
    return TokenBatch.supervised(rows, length, ids, targets, mask);
  }
}
