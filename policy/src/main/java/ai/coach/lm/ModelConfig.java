package ai.coach.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The architecture hyper-parameters of a Hugging Face {@code config.json}, for Qwen2 and the
 * Llama-style models that differ from it only in having no q/k/v biases.
 */
public record ModelConfig(
    String architecture,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    double ropeTheta,
    double rmsNormEps,
    int vocabSize,
    boolean tieWordEmbeddings,
    int maxPositions,
    String torchDtype,
    boolean qkvBias,
    List<Integer> eosTokenIds) {

  private static final Set<String> QWEN2 = Set.of("Qwen2ForCausalLM");
  private static final Set<String> LLAMA = Set.of("LlamaForCausalLM", "MistralForCausalLM");

  public ModelConfig withMaxPositions(int positions) {
    return new ModelConfig(architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, ropeTheta,
        rmsNormEps, vocabSize, tieWordEmbeddings, positions, torchDtype, qkvBias, eosTokenIds);
  }

  public static ModelConfig read(Path dir) {
    Path file = dir.resolve("config.json");
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(file, "file not found (is this a Hugging Face checkpoint directory?)");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointException(file, "unreadable JSON: " + e.getMessage(), e);
    }
    String arch = root.path("architectures").path(0).asText("");
    boolean qwen = QWEN2.contains(arch);
    if (!qwen && !LLAMA.contains(arch)) {
      throw new CheckpointException(
          file, "architecture '" + arch + "' is not supported (expected Qwen2ForCausalLM, LlamaForCausalLM or MistralForCausalLM)");
    }
    if (root.path("use_sliding_window").asBoolean(false)) {
      throw new CheckpointException(
          file, "use_sliding_window is true; sliding-window attention is not implemented (full attention only)");
    }
    if (!root.path("rope_scaling").isNull() && !root.path("rope_scaling").isMissingNode()) {
      throw new CheckpointException(file, "rope_scaling is set; only plain RoPE is implemented");
    }
    int hidden = positive(file, root, "hidden_size");
    int heads = positive(file, root, "num_attention_heads");
    int kvHeads = root.has("num_key_value_heads") ? positive(file, root, "num_key_value_heads") : heads;
    if (heads % kvHeads != 0) {
      throw new CheckpointException(
          file, "num_attention_heads (" + heads + ") is not a multiple of num_key_value_heads (" + kvHeads + ")");
    }
    int headDim = root.has("head_dim") ? positive(file, root, "head_dim") : hidden / heads;
    if (headDim % 2 != 0) {
      throw new CheckpointException(file, "head dimension " + headDim + " is odd; RoPE needs it even");
    }
    boolean bias = qwen || root.path("attention_bias").asBoolean(false);
    return new ModelConfig(
        arch,
        hidden,
        positive(file, root, "intermediate_size"),
        positive(file, root, "num_hidden_layers"),
        heads,
        kvHeads,
        headDim,
        root.path("rope_theta").asDouble(10000.0),
        root.path("rms_norm_eps").asDouble(1e-6),
        positive(file, root, "vocab_size"),
        root.path("tie_word_embeddings").asBoolean(false),
        root.has("max_position_embeddings") ? positive(file, root, "max_position_embeddings") : 32768,
        root.path("torch_dtype").asText(root.path("dtype").asText("float32")),
        bias,
        tokenIds(root.path("eos_token_id")));
  }

  private static int positive(Path file, JsonNode root, String key) {
    JsonNode v = root.path(key);
    if (!v.canConvertToInt() || v.asInt() <= 0) {
      throw new CheckpointException(file, "key '" + key + "' must be a positive integer, got " + (v.isMissingNode() ? "nothing" : v));
    }
    return v.asInt();
  }

  /** {@code eos_token_id} is an int or a list of ints in Hugging Face configs. */
  static List<Integer> tokenIds(JsonNode node) {
    List<Integer> ids = new ArrayList<>();
    if (node.isInt()) ids.add(node.asInt());
    if (node.isArray()) node.forEach(n -> ids.add(n.asInt()));
    return List.copyOf(ids);
  }

  public int qDim() {
    return numHeads * headDim;
  }

  public int kvDim() {
    return numKvHeads * headDim;
  }

  public long parameterCount() {
    long perLayer = (long) hiddenSize * (qDim() + 2L * kvDim()) + (long) qDim() * hiddenSize
        + 3L * hiddenSize * intermediateSize + 2L * hiddenSize + (qkvBias ? qDim() + 2L * kvDim() : 0);
    long embed = (long) vocabSize * hiddenSize;
    return embed * (tieWordEmbeddings ? 1 : 2) + perLayer * numLayers + hiddenSize;
  }
}
