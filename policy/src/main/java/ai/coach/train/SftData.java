package ai.coach.train;

import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.ChatTemplate.Message;
import ai.coach.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervised examples read from JSONL, one per line, in any of these forms:
 *
 * <ul>
 *   <li>{@code {"messages": [{"role": ..., "content": ...}, ...]}}: a conversation rendered with
 *       the model's chat template; every assistant turn is trained on.
 *   <li>{@code {"prompt": ..., "response": ...}}: a user turn (after the configured system
 *       prompt, if any) and the assistant's reply; the reply is trained on.
 *   <li>{@code {"problem": ..., "steps": [...]}}: a testbed problem ({@code coach data problems});
 *       the prompt is the problem and the response its steps, one per line.
 *   <li>{@code {"input_ids": [...], "loss_mask": [...]}}: already tokenized; tokens with mask 1
 *       are trained on.
 * </ul>
 *
 * The response boundaries come from rendering each conversation prefix with the template's
 * generation prompt and checking that its tokens are a prefix of the whole conversation's.
 */
public final class SftData {

  /**
   * One tokenized example: its tokens, 1 where a token is a response token to predict, and the
   * line's {@code answer} when it has one (testbed problems do), for dev accuracy.
   */
  public record Example(int[] ids, float[] lossMask, String answer) {
    public Example(int[] ids, float[] lossMask) {
      this(ids, lossMask, null);
    }

    /** Tokens before the first trained token: the prompt a generation starts from. */
    public int promptLength() {
      for (int i = 0; i < lossMask.length; i++) if (lossMask[i] != 0) return i;
      return lossMask.length;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(SftData.class);

  private SftData() {}

  /**
   * Reads {@code file}; {@code tokenizer} and {@code template} may be null when every line is
   * pre-tokenized. Examples over {@code maxLength} tokens are cut to it.
   */
  public static List<Example> read(Path file, Tokenizer tokenizer, ChatTemplate template, String systemPrompt,
      int maxLength, int vocabSize) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": data file not found");
    List<Example> out = new ArrayList<>();
    int truncated = 0;
    try (BufferedReader r = Files.newBufferedReader(file)) {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) continue;
        String where = file + " line " + lineNo;
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (IOException e) {
          throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage(), e);
        }
        Example ex = parse(node, where, tokenizer, template, systemPrompt);
        for (int id : ex.ids()) {
          if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException(where + ": token id " + id + " is outside the model's vocabulary [0, " + vocabSize + ")");
          }
        }
        if (ex.ids().length > maxLength) {
          truncated++;
          ex = new Example(Arrays.copyOf(ex.ids(), maxLength), Arrays.copyOf(ex.lossMask(), maxLength), ex.answer());
        }
        if (node.hasNonNull("answer")) ex = new Example(ex.ids(), ex.lossMask(), node.path("answer").asText());
        out.add(ex);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (out.isEmpty()) throw new IllegalArgumentException(file + ": no examples");
    if (truncated > 0) log.warn("{}: {} of {} examples cut to max_length {} tokens", file, truncated, out.size(), maxLength);
    return out;
  }

  private static Example parse(JsonNode node, String where, Tokenizer tokenizer, ChatTemplate template, String systemPrompt) {
    if (node.has("input_ids")) return preTokenized(node, where);
    List<Message> messages = new ArrayList<>();
    if (node.has("messages")) {
      for (JsonNode m : node.path("messages")) {
        String role = m.path("role").asText(null);
        String content = m.path("content").asText(null);
        if (role == null || content == null) throw new IllegalArgumentException(where + ": each message needs 'role' and 'content'");
        messages.add(new Message(role, content));
      }
    } else if (node.has("prompt") && node.has("response")) {
      if (systemPrompt != null) messages.add(Message.system(systemPrompt));
      messages.add(Message.user(node.path("prompt").asText()));
      messages.add(Message.assistant(node.path("response").asText()));
    } else if (node.has("problem") && node.path("steps").isArray()) {
      List<String> steps = new ArrayList<>();
      node.path("steps").forEach(st -> steps.add(st.asText()));
      if (systemPrompt != null) messages.add(Message.system(systemPrompt));
      messages.add(Message.user(node.path("problem").asText()));
      messages.add(Message.assistant(String.join("\n", steps)));
    } else {
      throw new IllegalArgumentException(
          where + ": expected 'messages', 'prompt' and 'response', 'problem' and 'steps', or 'input_ids' and 'loss_mask'");
    }
    if (tokenizer == null || template == null) {
      throw new IllegalArgumentException(where + ": text examples need the model's tokenizer and chat template");
    }
    return conversation(messages, where, tokenizer, template);
  }

  private static Example preTokenized(JsonNode node, String where) {
    JsonNode ids = node.path("input_ids");
    JsonNode mask = node.path("loss_mask");
    if (!ids.isArray() || !mask.isArray() || ids.size() != mask.size() || ids.isEmpty()) {
      throw new IllegalArgumentException(where + ": 'input_ids' and 'loss_mask' must be non-empty arrays of equal length");
    }
    int[] t = new int[ids.size()];
    float[] m = new float[ids.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = ids.get(i).asInt();
      m[i] = (float) mask.get(i).asDouble();
    }
    return new Example(t, m);
  }

  /** Tokens of the whole conversation; mask 1 on the tokens of each assistant turn. */
  static Example conversation(List<Message> messages, String where, Tokenizer tokenizer, ChatTemplate template) {
    int[] all = tokenizer.encode(template.render(messages, false));
    float[] mask = new float[all.length];
    boolean any = false;
    for (int i = 0; i < messages.size(); i++) {
      if (!messages.get(i).role().equals("assistant")) continue;
      int start = prefixLength(tokenizer.encode(template.render(messages.subList(0, i), true)), all, where);
      int end = i + 1 == messages.size() ? all.length
          : prefixLength(tokenizer.encode(template.render(messages.subList(0, i + 1), false)), all, where);
      Arrays.fill(mask, start, end, 1f);
      any |= end > start;
    }
    if (!any) throw new IllegalArgumentException(where + ": no assistant turn to train on");
    return new Example(all, mask);
  }

  private static int prefixLength(int[] prefix, int[] all, String where) {
    if (prefix.length > all.length || !Arrays.equals(prefix, 0, prefix.length, all, 0, prefix.length)) {
      throw new IllegalArgumentException(where + ": the chat template's rendering of the conversation so far does not "
          + "tokenize to a prefix of the whole conversation, so the response tokens cannot be located");
    }
    return prefix.length;
  }
}
