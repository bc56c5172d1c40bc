package ai.coach.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways of reaching the same logits must agree: a ragged batch and each prompt alone,
 * token-by-token decode on the cache and one full forward, a fork and a fresh run, a long
 * append split into chunks and the same tokens at once.
 */
class EngineConsistencyTest {

  static final float TOL = 2e-5f;

  @TempDir static Path dir;
  static Qwen2Model model;

  @BeforeAll
  static void load() throws Exception {
    model = Qwen2Model.load(RandomCheckpoint.write(dir.resolve("ck"), 7));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static int[] ids(int n, int salt) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) t[i] = (i * 31 + salt * 17 + 5) % RandomCheckpoint.VOCAB;
    return t;
  }

  static float[][] full(int[] tokens) {
    try (SequenceState s = model.newSequence()) {
      return model.appendAll(List.of(s), List.of(tokens)).get(0);
    }
  }

  static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], TOL, "logit " + i);
    }
  }

  @Test
  void raggedBatchEqualsEachPromptAlone() {
    List<int[]> prompts = List.of(ids(3, 1), ids(11, 2), ids(1, 3), ids(6, 4));
    List<SequenceState> states = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) states.add(model.newSequence());
    List<float[][]> batched = model.appendAll(states, prompts);
    for (int i = 0; i < prompts.size(); i++) {
      float[][] alone = full(prompts.get(i));
      for (int j = 0; j < alone.length; j++) assertClose(alone[j], batched.get(i)[j]);
      assertClose(alone[alone.length - 1], states.get(i).nextLogits());
      states.get(i).close();
    }
  }

  @Test
  void cachedDecodeEqualsFullRecompute() {
    int[] tokens = ids(20, 9);
    float[][] reference = full(tokens);
    try (SequenceState s = model.newSequence()) {
      model.append(List.of(s), List.of(java.util.Arrays.copyOf(tokens, 5)));
      assertClose(reference[4], s.nextLogits());
      for (int i = 5; i < tokens.length; i++) {
        model.append(List.of(s), List.of(new int[] {tokens[i]}));
        assertClose(reference[i], s.nextLogits());
      }
      assertArrayEquals(tokens, s.tokens());
    }
  }

  @Test
  void forkedStatesEqualFreshRuns() {
    int[] prefix = ids(9, 4);
    try (SequenceState root = model.newSequence()) {
      model.append(List.of(root), List.of(prefix));
      List<SequenceState> forks = model.fork(root, 3);
      List<int[]> continuations = List.of(ids(2, 5), ids(4, 6), ids(1, 7));
      List<float[][]> got = model.appendAll(forks, continuations);
      for (int i = 0; i < 3; i++) {
        int[] whole = concat(prefix, continuations.get(i));
        float[][] fresh = full(whole);
        for (int j = 0; j < continuations.get(i).length; j++) assertClose(fresh[prefix.length + j], got.get(i)[j]);
        forks.get(i).close();
      }
      // The root is untouched by what its forks appended.
      assertEquals(prefix.length, root.length());
      assertClose(full(prefix)[prefix.length - 1], root.nextLogits());
    }
  }

  @Test
  void longAppendIsChunkedWithoutChangingResults() {
    int[] tokens = ids(200, 3);
    float[][] once = full(tokens);
    try (SequenceState s = model.newSequence()) {
      model.append(List.of(s), List.of(java.util.Arrays.copyOf(tokens, 150)));
      model.append(List.of(s), List.of(java.util.Arrays.copyOfRange(tokens, 150, 200)));
      assertClose(once[199], s.nextLogits());
    }
  }

  @Test
  void greedyGenerationIsReproducibleAndSeedsMatter() {
    Generator g = new Generator(model, null, java.util.Set.of());
    int[] prompt = ids(5, 8);
    SamplingParams greedy = SamplingParams.greedy(12);
    assertArrayEquals(g.sample(prompt, 1, greedy).get(0).tokenIds(), g.generateAll(List.of(prompt), greedy).get(0).tokenIds());
    SamplingParams hot = new SamplingParams(1.0, 0.95, 50, 12, 42, 3, List.of());
    List<Completion> a = g.sample(prompt, 2, hot);
    List<Completion> b = g.sample(prompt, 2, hot);
    assertArrayEquals(a.get(0).tokenIds(), b.get(0).tokenIds());
    assertArrayEquals(a.get(1).tokenIds(), b.get(1).tokenIds());
    assertNotEquals(java.util.Arrays.toString(a.get(0).tokenIds()), java.util.Arrays.toString(a.get(1).tokenIds()));
    assertEquals(3, a.get(0).logprobs().get(0).top().size());
  }

  @Test
  void closedSequencesAndOutOfVocabularyTokensAreRejected() {
    SequenceState s = model.newSequence();
    assertThrows(IllegalArgumentException.class, () -> model.append(List.of(s), List.of(new int[] {RandomCheckpoint.VOCAB})));
    s.close();
    assertThrows(IllegalStateException.class, () -> model.append(List.of(s), List.of(new int[] {1})));
  }

  static int[] concat(int[] a, int[] b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
