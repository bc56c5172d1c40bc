package ai.coach.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Logits and greedy continuations equal those of transformers' Qwen2ForCausalLM on checkpoints
 * it saved: grouped-query and multi-head attention, tied and untied heads, bf16 storage, shards.
 */
class HfParityTest {

  @ParameterizedTest
  @ValueSource(strings = {"gqa-tied", "mha-untied", "gqa-bf16", "sharded"})
  void logitsAndGreedyMatchTransformers(String name) throws Exception {
    JsonNode ref = Fixtures.json("models/" + name + "/reference.json");
    try (Qwen2Model model = Qwen2Model.load(Fixtures.dir("models/" + name))) {
      double worst = 0;
      for (JsonNode c : ref.path("cases")) {
        int[] prompt = Fixtures.ints(c.path("prompt"));
        float[][] logits;
        try (SequenceState s = model.newSequence()) {
          logits = model.appendAll(List.of(s), List.of(prompt)).get(0);
        }
        JsonNode expected = c.path("logits");
        assertEquals(expected.size(), logits.length);
        for (int i = 0; i < logits.length; i++) {
          for (int v = 0; v < logits[i].length; v++) {
            worst = Math.max(worst, Math.abs(expected.get(i).get(v).asDouble() - logits[i][v]));
          }
        }
        int[] greedy = new Generator(model, null, Set.of()).sample(prompt, 1, SamplingParams.greedy(32)).get(0).tokenIds();
        assertArrayEquals(Fixtures.ints(c.path("greedy")), greedy, name + " greedy continuation of " + c.path("prompt"));
      }
      assertEquals(0, worst, 1e-4, name + ": max |logit difference| against transformers");
    }
  }

  /** Teacher-forced log-probs of a continuation equal the log-softmax of transformers' logits. */
  @ParameterizedTest
  @ValueSource(strings = {"gqa-tied", "mha-untied"})
  void continuationLogprobsMatchTransformers(String name) throws Exception {
    JsonNode ref = Fixtures.json("models/" + name + "/reference.json");
    List<int[]> prompts = new java.util.ArrayList<>();
    List<int[]> continuations = new java.util.ArrayList<>();
    List<double[]> expected = new java.util.ArrayList<>();
    for (JsonNode c : ref.path("cases")) {
      int[] all = Fixtures.ints(c.path("prompt"));
      if (all.length < 3) continue;
      int split = all.length / 2;
      prompts.add(java.util.Arrays.copyOf(all, split));
      int[] cont = java.util.Arrays.copyOfRange(all, split, all.length);
      continuations.add(cont);
      double[] lp = new double[cont.length];
      for (int j = 0; j < cont.length; j++) {
        JsonNode row = c.path("logits").get(split - 1 + j);
        double max = Double.NEGATIVE_INFINITY;
        for (JsonNode x : row) max = Math.max(max, x.asDouble());
        double sum = 0;
        for (JsonNode x : row) sum += Math.exp(x.asDouble() - max);
        lp[j] = row.get(cont[j]).asDouble() - max - Math.log(sum);
      }
      expected.add(lp);
    }
    try (Qwen2Model model = Qwen2Model.load(Fixtures.dir("models/" + name))) {
      List<float[]> got = Scorer.continuationLogprobs(model, prompts, continuations);
      for (int i = 0; i < got.size(); i++) {
        for (int j = 0; j < got.get(i).length; j++) {
          assertEquals(expected.get(i)[j], got.get(i)[j], 1e-4, name + " case " + i + " token " + j);
        }
      }
    }
  }
}
