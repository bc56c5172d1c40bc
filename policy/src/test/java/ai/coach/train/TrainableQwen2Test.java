package ai.coach.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.coach.lm.ModelConfig;
import ai.coach.lm.Qwen2Model;
import ai.coach.lm.SequenceState;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TrainableQwen2Test {

  @TempDir Path tmp;

  @Test
  void forwardLogitsEqualTheEngineOnTheSameWeights() throws Exception {
    for (ModelConfig c : List.of(TinyModels.gqaTied(50), TinyModels.mhaUntied(40))) {
      int rows = 2;
      int length = 9;
      int[] ids = TinyModels.randomIds(rows * length, c.vocabSize(), 3);
      Path dir = tmp.resolve(c.numHeads() + "-" + c.tieWordEmbeddings());
      double[][] ours;
      double[][] chunked;
      try (TrainableQwen2 m = TrainableQwen2.initialize(c, DataType.FLOAT, 11, 0.2)) {
        m.save(dir);
        ours = m.logits(rows, length, ids);
        m.setAttentionChunk(4);
        chunked = m.logits(rows, length, ids);
      }
      try (Qwen2Model engine = Qwen2Model.load(dir)) {
        for (int r = 0; r < rows; r++) {
          int[] seq = java.util.Arrays.copyOfRange(ids, r * length, (r + 1) * length);
          float[][] ref;
          try (SequenceState s = engine.newSequence()) {
            ref = engine.appendAll(List.of(s), List.of(seq)).get(0);
          }
          for (int t = 0; t < length; t++) {
            for (int v = 0; v < c.vocabSize(); v++) {
              assertEquals(ref[t][v], ours[r * length + t][v], 1e-4, "row " + r + " position " + t + " token " + v);
              assertEquals(ref[t][v], chunked[r * length + t][v], 1e-4, "attention in chunks of 4 positions");
            }
          }
        }
      }
    }
  }

  @Test
  void gradientsMatchCentralFiniteDifferences() {
    // Untied here; the tied head is checked against PyTorch's gradients.
    ModelConfig c = TinyModels.gqaUntied(20);
    try (TrainableQwen2 m = TrainableQwen2.initialize(c, DataType.DOUBLE, 5, 0.3)) {
      m.setAttentionChunk(4); // two chunks, the second one short
      TokenBatch batch = TinyModels.batch(2, 6, c.vocabSize(), 9);
      TokenLoss loss = new MaskedCrossEntropy();
      ParameterSet p = m.params();
      p.zeroGrad();
      m.forwardBackward(batch, loss, 1.0);
      INDArray values = p.values();
      INDArray grads = p.grads();
      double eps = 1e-5;
      for (ParameterSet.Entry e : p.entries().values()) {
        // A few coordinates of every tensor, spread over it.
        for (int k = 1; k <= 2; k++) {
          long i = e.offset() + (e.numel() - 1) * k / 3;
          double orig = values.getDouble(i);
          values.putScalar(i, orig + eps);
          double up = lossOf(m, batch, loss);
          values.putScalar(i, orig - eps);
          double down = lossOf(m, batch, loss);
          values.putScalar(i, orig);
          double fd = (up - down) / (2 * eps);
          double an = grads.getDouble(i);
          assertEquals(fd, an, 1e-6 + 1e-5 * Math.abs(fd), e.name() + "[" + (i - e.offset()) + "]");
        }
      }
    }
  }

  private static double lossOf(TrainableQwen2 m, TokenBatch batch, TokenLoss loss) {
    return loss.evaluate(m.targetLogProbs(batch), batch).loss();
  }
}
