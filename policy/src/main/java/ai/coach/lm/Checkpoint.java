package ai.coach.lm;

import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A loaded Hugging Face checkpoint directory: the model, and, when the directory has them, its
 * tokenizer and chat template. End-of-sequence ids come from {@code generation_config.json} and
 * {@code config.json} together, as transformers merges them.
 */
public final class Checkpoint implements AutoCloseable {

  private final Path dir;
  private final Qwen2Model model;
  private final Tokenizer tokenizer;
  private final ChatTemplate chatTemplate;
  private final Set<Integer> eosIds;

  private Checkpoint(Path dir, Qwen2Model model, Tokenizer tokenizer, ChatTemplate chatTemplate, Set<Integer> eosIds) {
    this.dir = dir;
    this.model = model;
    this.tokenizer = tokenizer;
    this.chatTemplate = chatTemplate;
    this.eosIds = eosIds;
  }

  public static Checkpoint load(Path dir, DataType dtype) {
    if (!Files.isDirectory(dir)) throw new CheckpointException(dir, "not a directory");
    Qwen2Model model = Qwen2Model.load(dir, dtype);
    Tokenizer tokenizer = Files.isRegularFile(dir.resolve("tokenizer.json")) ? Tokenizer.load(dir) : null;
    ChatTemplate template = Files.isRegularFile(dir.resolve("tokenizer_config.json")) ? chatTemplateOrNull(dir) : null;
    Set<Integer> eos = new LinkedHashSet<>(model.config().eosTokenIds());
    Path gen = dir.resolve("generation_config.json");
    if (Files.isRegularFile(gen)) {
      try {
        eos.addAll(ModelConfig.tokenIds(new ObjectMapper().readTree(gen.toFile()).path("eos_token_id")));
      } catch (IOException e) {
        throw new CheckpointException(gen, "unreadable JSON: " + e.getMessage(), e);
      }
    }
    return new Checkpoint(dir, model, tokenizer, template, Set.copyOf(eos));
  }

  /** A compute dtype by the names transformers uses: float32 (fp32), float16 (fp16), bfloat16 (bf16). */
  public static DataType dtype(String name) {
    return switch (name == null ? "float32" : name) {
      case "float32", "fp32" -> DataType.FLOAT;
      case "float16", "fp16" -> DataType.HALF;
      case "bfloat16", "bf16" -> DataType.BFLOAT16;
      default -> throw new IllegalArgumentException("dtype must be float32, float16 or bfloat16, got '" + name + "'");
    };
  }

  /** A tokenizer_config.json without a chat template is fine for plain-text prompts. */
  private static ChatTemplate chatTemplateOrNull(Path dir) {
    try {
      return ChatTemplate.load(dir);
    } catch (CheckpointException e) {
      if (e.getMessage().contains("no 'chat_template'")) return null;
      throw e;
    }
  }

  public Path dir() {
    return dir;
  }

  public Qwen2Model model() {
    return model;
  }

  public Set<Integer> eosIds() {
    return eosIds;
  }


  public Tokenizer tokenizer() {
    if (tokenizer == null) throw new CheckpointException(dir.resolve("tokenizer.json"), "file not found (needed for text)");
    return tokenizer;
  }

  public ChatTemplate chatTemplate() {
    if (chatTemplate == null) {
      throw new CheckpointException(dir.resolve("tokenizer_config.json"), "no chat template in this checkpoint");
    }
    return chatTemplate;
  }

  public Generator generator() {
    return new Generator(model, tokenizer, eosIds);
  }

  @Override
  public void close() {
    model.close();
    if (tokenizer != null) tokenizer.close();
  }
}
