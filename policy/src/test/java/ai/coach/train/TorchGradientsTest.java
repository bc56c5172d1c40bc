package ai.coach.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Gradients against PyTorch's on the committed gqa-tied fixture (see fixtures/README.md). */
class TorchGradientsTest {

  private static final Path DIR = Path.of("src/test/resources/fixtures/models/gqa-tied");

  @Test
  void maskedCrossEntropyGradientsMatchPyTorch() throws Exception {
    check(64);
  }

  @Test
  void attentionInChunksGivesTheSameGradients() throws Exception {
    check(5);
  }

  private void check(int attentionChunk) throws Exception {
    JsonNode ref = new ObjectMapper().readTree(DIR.resolve("grads.json").toFile());
    List<SftData.Example> rows = new ArrayList<>();
    for (int b = 0; b < ref.path("input_ids").size(); b++) {
      JsonNode ids = ref.path("input_ids").get(b);
      JsonNode mask = ref.path("loss_mask").get(b);
      int[] t = new int[ids.size()];
      float[] m = new float[ids.size()];
      for (int i = 0; i < t.length; i++) {
        t[i] = ids.get(i).asInt();
        m[i] = mask.get(i).asInt();
      }
      rows.add(new SftData.Example(t, m));
    }
    TokenBatch batch = BatchPlan.toBatch(rows);
    try (TrainableQwen2 model = TrainableQwen2.load(DIR, DataType.FLOAT)) {
      model.setAttentionChunk(attentionChunk);
      model.params().zeroGrad();
      LossValue loss = model.forwardBackward(batch, new MaskedCrossEntropy(), 1.0);
      assertEquals(ref.path("loss").asDouble(), loss.loss(), 1e-4);
      int checked = 0;
      for (JsonNode nameNode : ref.path("param_names")) {
        String name = nameNode.asText();
        ParameterSet.Entry e = model.params().entry(name);
        INDArray expected = TensorFiles.read(DIR.resolve("grads.safetensors"), name, e.shape());
        INDArray actual = model.params().grad(name);
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = actual.sub(expected).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-4 * scale + 1e-6, name + ": max |ours - torch| = " + diff + " (largest |grad| " + scale + ")");
        checked++;
      }
      assertEquals(model.params().entries().size(), checked, "every parameter has a PyTorch gradient");
    }
  }
}
