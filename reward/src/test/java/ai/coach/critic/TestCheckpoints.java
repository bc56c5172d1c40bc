package ai.coach.critic;

import ai.coach.lm.SafetensorsWriter;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes small checkpoint directories for tests: a byte-level BPE tokenizer (every byte one
 * token, Qwen2's pre-tokenizer, optionally one merge of two line breaks), a ChatML chat template,
 * and random Qwen2 weights.
 */
final class TestCheckpoints {

  static final int BYTES = 256;
  /** "\n\n" as one token, produced only when the merge is on. */
  static final int DOUBLE_NEWLINE = 256;
  static final int ENDOFTEXT = 257;
  static final int IM_START = 258;
  static final int IM_END = 259;
  static final int VOCAB = 260;

  private static final String QWEN2_SPLIT =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

  static final String CHATML = "{%- for message in messages %}"
      + "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
      + "{%- endfor %}"
      + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

  private static final ObjectMapper JSON = new ObjectMapper();

  private TestCheckpoints() {}

  /** GPT-2's byte-to-character table, which byte-level BPE vocabularies are written in. */
  static char[] byteChars() {
    List<Integer> bs = new ArrayList<>();
    for (int b = '!'; b <= '~'; b++) bs.add(b);
    for (int b = 0xA1; b <= 0xAC; b++) bs.add(b);
    for (int b = 0xAE; b <= 0xFF; b++) bs.add(b);
    char[] out = new char[BYTES];
    int extra = 0;
    for (int b = 0; b < BYTES; b++) out[b] = bs.contains(b) ? (char) b : (char) (BYTES + extra++);
    return out;
  }

  /** tokenizer.json and tokenizer_config.json (with the ChatML template) in {@code dir}. */
  static void writeTokenizer(Path dir, boolean mergeNewlines) throws IOException {
    Files.createDirectories(dir);
    char[] chars = byteChars();
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (int b = 0; b < BYTES; b++) vocab.put(String.valueOf(chars[b]), b);
    String nl = String.valueOf(chars['\n']);
    vocab.put(nl + nl, DOUBLE_NEWLINE);
    List<Map<String, Object>> added = new ArrayList<>();
    String[] specials = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    for (int i = 0; i < specials.length; i++) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("id", ENDOFTEXT + i);
      t.put("content", specials[i]);
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
      added.add(t);
    }
    Map<String, Object> byteLevel = new LinkedHashMap<>();
    byteLevel.put("type", "ByteLevel");
    byteLevel.put("add_prefix_space", false);
    byteLevel.put("trim_offsets", false);
    byteLevel.put("use_regex", false);
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("type", "Split");
    split.put("pattern", Map.of("Regex", QWEN2_SPLIT));
    split.put("behavior", "Isolated");
    split.put("invert", false);
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("type", "BPE");
    model.put("dropout", null);
    model.put("unk_token", null);
    model.put("continuing_subword_prefix", null);
    model.put("end_of_word_suffix", null);
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("vocab", vocab);
    model.put("merges", mergeNewlines ? List.of(nl + " " + nl) : List.of());
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", "1.0");
    root.put("truncation", null);
    root.put("padding", null);
    root.put("added_tokens", added);
    root.put("normalizer", null);
    root.put("pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(split, byteLevel)));
    root.put("post_processor", null);
    root.put("decoder", byteLevel);
    root.put("model", model);
    JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("chat_template", CHATML);
    config.put("eos_token", "<|im_end|>");
    config.put("pad_token", "<|endoftext|>");
    JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
  }

  /** A random-weight Qwen2 with the test tokenizer; small enough to run a critique batch in seconds. */
  static void writeRandomQwen2(Path dir, long seed, int hidden, int layers, int maxPositions) throws IOException {
    writeTokenizer(dir, true);
    int heads = 4;
    int kvHeads = 2;
    int headDim = hidden / heads;
    int intermediate = hidden * 2;
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("architectures", List.of("Qwen2ForCausalLM"));
    config.put("model_type", "qwen2");
    config.put("hidden_size", hidden);
    config.put("intermediate_size", intermediate);
    config.put("num_hidden_layers", layers);
    config.put("num_attention_heads", heads);
    config.put("num_key_value_heads", kvHeads);
    config.put("max_position_embeddings", maxPositions);
    config.put("vocab_size", VOCAB);
    config.put("rms_norm_eps", 1e-6);
    config.put("rope_theta", 10000.0);
    config.put("tie_word_embeddings", true);
    config.put("bos_token_id", ENDOFTEXT);
    config.put("eos_token_id", IM_END);
    config.put("torch_dtype", "float32");
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
    Nd4j.getRandom().setSeed(seed);
    SafetensorsWriter w = new SafetensorsWriter();
    w.add("model.embed_tokens.weight", Nd4j.randn(DataType.FLOAT, VOCAB, hidden).muli(0.5));
    for (int l = 0; l < layers; l++) {
      String p = "model.layers." + l + ".";
      w.add(p + "input_layernorm.weight", Nd4j.ones(DataType.FLOAT, hidden));
      w.add(p + "post_attention_layernorm.weight", Nd4j.ones(DataType.FLOAT, hidden));
      w.add(p + "self_attn.q_proj.weight", Nd4j.randn(DataType.FLOAT, heads * headDim, hidden).muli(0.1));
      w.add(p + "self_attn.q_proj.bias", Nd4j.randn(DataType.FLOAT, heads * headDim).muli(0.1));
      w.add(p + "self_attn.k_proj.weight", Nd4j.randn(DataType.FLOAT, kvHeads * headDim, hidden).muli(0.1));
      w.add(p + "self_attn.k_proj.bias", Nd4j.randn(DataType.FLOAT, kvHeads * headDim).muli(0.1));
      w.add(p + "self_attn.v_proj.weight", Nd4j.randn(DataType.FLOAT, kvHeads * headDim, hidden).muli(0.1));
      w.add(p + "self_attn.v_proj.bias", Nd4j.randn(DataType.FLOAT, kvHeads * headDim).muli(0.1));
      w.add(p + "self_attn.o_proj.weight", Nd4j.randn(DataType.FLOAT, hidden, heads * headDim).muli(0.1));
      w.add(p + "mlp.gate_proj.weight", Nd4j.randn(DataType.FLOAT, intermediate, hidden).muli(0.1));
      w.add(p + "mlp.up_proj.weight", Nd4j.randn(DataType.FLOAT, intermediate, hidden).muli(0.1));
      w.add(p + "mlp.down_proj.weight", Nd4j.randn(DataType.FLOAT, hidden, intermediate).muli(0.1));
    }
    w.add("model.norm.weight", Nd4j.ones(DataType.FLOAT, hidden));
    w.write(dir.resolve("model.safetensors"));
  }
}
