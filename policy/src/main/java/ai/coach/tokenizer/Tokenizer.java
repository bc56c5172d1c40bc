package ai.coach.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.coach.lm.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json}, run by the tokenizers library itself (through DJL's
 * bindings), so byte-level BPE, pre-tokenizer regexes, added and special tokens behave exactly
 * as in Python. Special tokens written in the text (e.g. {@code <|im_start|>} from a chat
 * template) are recognised as such; no BOS/EOS is added implicitly.
 */
public final class Tokenizer implements AutoCloseable {

  private final HuggingFaceTokenizer hf;

  private Tokenizer(HuggingFaceTokenizer hf) {
    this.hf = hf;
  }

  public static Tokenizer load(Path dir) {
    Path file = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(file, "file not found (needed to turn text into tokens)");
    }
    try {
      return new Tokenizer(HuggingFaceTokenizer.newInstance(
          file,
          Map.of(
              "addSpecialTokens", "false",
              "truncation", "false",
              "padding", "false",
              "modelMaxLength", String.valueOf(Integer.MAX_VALUE))));
    } catch (IOException | RuntimeException e) {
      throw new CheckpointException(file, "not a valid tokenizer.json: " + e.getMessage(), e);
    }
  }

  public int[] encode(String text) {
    long[] ids = hf.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) out[i] = (int) ids[i];
    return out;
  }

  /** Text of the ids, special tokens included (callers strip what they do not want). */
  public String decode(int[] ids) {
    return decode(ids, 0, ids.length);
  }

  public String decode(int[] ids, int from, int to) {
    long[] l = new long[to - from];
    for (int i = from; i < to; i++) l[i - from] = ids[i];
    return hf.decode(l, false);
  }

  /**
   * The id of a string that must be exactly one token (a special token, or a word such as
   * "Yes" that a critic reads), or an error saying how it splits.
   */
  public int singleTokenId(String text) {
    int[] ids = encode(text);
    if (ids.length != 1) {
      throw new IllegalArgumentException("'" + text + "' is " + ids.length + " tokens in this tokenizer, expected one");
    }
    return ids[0];
  }

  @Override
  public void close() {
    hf.close();
  }
}
