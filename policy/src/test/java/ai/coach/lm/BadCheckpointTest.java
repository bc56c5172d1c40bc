package ai.coach.lm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Each way a checkpoint can be broken gives an error that names the file and the problem. */
class BadCheckpointTest {

  @TempDir Path tmp;

  private static CheckpointException fails(Path dir) {
    return assertThrows(CheckpointException.class, () -> Qwen2Model.load(dir).close());
  }

  private static void assertMentions(Exception e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should mention '" + p + "'");
    }
  }

  @Test
  void missingConfig() throws IOException {
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1);
    Files.delete(dir.resolve("config.json"));
    assertMentions(fails(dir), "config.json", "not found");
  }

  @Test
  void missingWeights() throws IOException {
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1);
    Files.delete(dir.resolve("model.safetensors"));
    assertMentions(fails(dir), "model.safetensors", "model.safetensors.index.json");
  }

  @Test
  void missingShardNamedInIndex() throws IOException {
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1);
    Files.move(dir.resolve("model.safetensors"), dir.resolve("model-00001-of-00002.safetensors"));
    Files.writeString(dir.resolve("model.safetensors.index.json"),
        "{\"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"}}");
    assertMentions(fails(dir), "model-00002-of-00002.safetensors", "not found");
  }

  @Test
  void truncatedFile() throws IOException {
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1);
    Path file = dir.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));
    assertMentions(fails(dir), "model.safetensors", "truncated");
  }

  @Test
  void truncatedHeader() throws IOException {
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1);
    Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3});
    assertMentions(fails(dir), "model.safetensors", "truncated");
  }

  @Test
  void missingTensor() throws IOException {
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1);
    Map<String, Object> config = RandomCheckpoint.config();
    config.put("num_hidden_layers", 3);
    new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), config);
    assertMentions(fails(dir), "missing tensor", "model.layers.2.");
  }

  @Test
  void misshapedTensor() throws IOException {
    Map<String, Object> config = RandomCheckpoint.config();
    config.put("intermediate_size", 50);
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1);
    new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), config);
    assertMentions(fails(dir), "model.safetensors", "mlp.gate_proj.weight", "[48, 32]", "[50, 32]");
  }

  @Test
  void unsupportedDtype() throws IOException {
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1);
    String header = "{\"model.embed_tokens.weight\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + 2).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(new byte[2]);
    Files.write(dir.resolve("model.safetensors"), b.array());
    assertMentions(fails(dir), "model.safetensors", "unsupported dtype I8", "model.embed_tokens.weight");
  }

  @Test
  void notQwen2() throws IOException {
    Map<String, Object> config = RandomCheckpoint.config();
    config.put("architectures", new String[] {"GPT2LMHeadModel"});
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1, config);
    assertMentions(fails(dir), "config.json", "GPT2LMHeadModel", "not supported");
  }

  @Test
  void slidingWindow() throws IOException {
    Map<String, Object> config = RandomCheckpoint.config();
    config.put("use_sliding_window", true);
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1, config);
    assertMentions(fails(dir), "config.json", "sliding");
  }

  @Test
  void badConfigValue() throws IOException {
    Map<String, Object> config = RandomCheckpoint.config();
    config.put("hidden_size", "big");
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1, config);
    assertMentions(fails(dir), "config.json", "hidden_size", "positive integer");
  }

  @Test
  void textWithoutTokenizer() throws IOException {
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1);
    try (Checkpoint ckpt = Checkpoint.load(dir, DataType.FLOAT)) {
      assertMentions(assertThrows(CheckpointException.class, ckpt::tokenizer), "tokenizer.json", "not found");
    }
  }

  @Test
  void halfPrecisionWeightsLoadAndRun() throws IOException {
    Path dir = RandomCheckpoint.write(tmp.resolve("c"), 1);
    try (Qwen2Model fp16 = Qwen2Model.load(dir, DataType.HALF); SequenceState s = fp16.newSequence()) {
      fp16.append(java.util.List.of(s), java.util.List.of(new int[] {1, 2, 3}));
      assertTrue(Float.isFinite(s.nextLogits()[0]));
      assertTrue(fp16.dtype() == DataType.HALF);
    }
    assertTrue(Nd4j.getBackend() != null);
  }
}
