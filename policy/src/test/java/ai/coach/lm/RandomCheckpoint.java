package ai.coach.lm;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Writes small random Qwen2 checkpoints for tests that need a model but no reference values. */
final class RandomCheckpoint {

  static final int HIDDEN = 32;
  static final int VOCAB = 97;

  private RandomCheckpoint() {}

  static Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("architectures", new String[] {"Qwen2ForCausalLM"});
    c.put("hidden_size", HIDDEN);
    c.put("intermediate_size", 48);
    c.put("num_hidden_layers", 2);
    c.put("num_attention_heads", 4);
    c.put("num_key_value_heads", 2);
    c.put("vocab_size", VOCAB);
    c.put("rope_theta", 10000.0);
    c.put("rms_norm_eps", 1e-6);
    c.put("tie_word_embeddings", false);
    c.put("max_position_embeddings", 256);
    c.put("use_sliding_window", false);
    c.put("eos_token_id", VOCAB - 1);
    return c;
  }

  static Path write(Path dir, long seed) throws IOException {
    return write(dir, seed, config());
  }

  static Path write(Path dir, long seed, Map<String, Object> config) throws IOException {
    Files.createDirectories(dir);
    new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), config);
    Nd4j.getRandom().setSeed(seed);
    int h = HIDDEN;
    int v = VOCAB;
    int d = h / 4;
    SafetensorsWriter w = new SafetensorsWriter();
    w.add("model.embed_tokens.weight", rand(v, h));
    w.add("lm_head.weight", rand(v, h));
    w.add("model.norm.weight", rand(h).addi(1));
    for (int l = 0; l < 2; l++) {
      String p = "model.layers." + l + ".";
      w.add(p + "input_layernorm.weight", rand(h).addi(1));
      w.add(p + "post_attention_layernorm.weight", rand(h).addi(1));
      w.add(p + "self_attn.q_proj.weight", rand(4 * d, h));
      w.add(p + "self_attn.q_proj.bias", rand(4 * d));
      w.add(p + "self_attn.k_proj.weight", rand(2 * d, h));
      w.add(p + "self_attn.k_proj.bias", rand(2 * d));
      w.add(p + "self_attn.v_proj.weight", rand(2 * d, h));
      w.add(p + "self_attn.v_proj.bias", rand(2 * d));
      w.add(p + "self_attn.o_proj.weight", rand(h, 4 * d));
      w.add(p + "mlp.gate_proj.weight", rand(48, h));
      w.add(p + "mlp.up_proj.weight", rand(48, h));
      w.add(p + "mlp.down_proj.weight", rand(h, 48));
    }
    w.write(dir.resolve("model.safetensors"));
    return dir;
  }

  private static INDArray rand(long... shape) {
    return Nd4j.randn(DataType.FLOAT, shape).muli(0.3);
  }
}
