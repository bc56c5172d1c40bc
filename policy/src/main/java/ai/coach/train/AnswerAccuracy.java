package ai.coach.train;

import ai.coach.lm.Checkpoint;
import ai.coach.lm.Completion;
import ai.coach.lm.Generator;
import ai.coach.lm.SamplingParams;
import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How often a model's generations end with the right answer: the last {@code \boxed{...}} of each
 * generation against the gold answer, compared as integers when both are integers and as trimmed
 * strings otherwise (a stand-in until the code-check grader is available here).
 */
public final class AnswerAccuracy {

  /** A tokenized prompt and its gold answer. */
  public record Problem(int[] prompt, String answer) {}

  /**
   * @param accuracy correct generations over all generations
   * @param solved problems with at least one correct generation, over all problems
   */
  public record Result(double accuracy, double solved, int problems, int samplesPerProblem, int correct) {}

  private static final Pattern BOXED = Pattern.compile("\\\\boxed\\{([^{}]*)\\}");

  private AnswerAccuracy() {}

  /**
   * Generates {@code samples} completions per problem ({@code temperature} 0 is greedy; sample i
   * of a problem uses seed {@code seed + i}) in batches of {@code batchSize} prompts.
   */
  public static Result evaluate(Checkpoint ckpt, List<Problem> problems, int samples, double temperature, long seed,
      int maxNewTokens, int batchSize) {
    if (problems.isEmpty()) throw new IllegalArgumentException("no problems to evaluate");
    if (samples < 1) throw new IllegalArgumentException("samples per problem must be >= 1, got " + samples);
    Generator gen = ckpt.generator();
    int correct = 0;
    boolean[] solved = new boolean[problems.size()];
    for (int i = 0; i < samples; i++) {
      SamplingParams params = new SamplingParams(temperature, 1.0, 0, maxNewTokens, seed + i, 0, List.of());
      for (int from = 0; from < problems.size(); from += batchSize) {
        List<Problem> part = problems.subList(from, Math.min(problems.size(), from + batchSize));
        List<int[]> prompts = new ArrayList<>();
        for (Problem p : part) prompts.add(p.prompt());
        List<Completion> out = gen.generateAll(prompts, params);
        for (int j = 0; j < part.size(); j++) {
          if (matches(lastBoxed(out.get(j).text()), part.get(j).answer())) {
            correct++;
            solved[from + j] = true;
          }
        }
      }
    }
    int solvedCount = 0;
    for (boolean s : solved) if (s) solvedCount++;
    return new Result((double) correct / (problems.size() * samples), (double) solvedCount / problems.size(),
        problems.size(), samples, correct);
  }

  /**
   * Problems from JSONL lines with {@code "problem"} (or {@code "prompt"}) and {@code "answer"},
   * each rendered as a user turn after {@code systemPrompt} (if any) with the model's chat template
   * and generation prompt. At most {@code limit} lines (0 = all).
   */
  public static List<Problem> read(Path file, Tokenizer tokenizer, ChatTemplate template, String systemPrompt, int limit) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": data file not found");
    ObjectMapper json = new ObjectMapper();
    List<Problem> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file)) {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null && (limit == 0 || out.size() < limit)) {
        lineNo++;
        if (line.isBlank()) continue;
        JsonNode node;
        try {
          node = json.readTree(line);
        } catch (IOException e) {
          throw new IllegalArgumentException(file + " line " + lineNo + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode question = node.has("problem") ? node.path("problem") : node.path("prompt");
        if (!question.isTextual() || !node.hasNonNull("answer")) {
          throw new IllegalArgumentException(file + " line " + lineNo + ": expected 'problem' (or 'prompt') and 'answer'");
        }
        List<ChatTemplate.Message> messages = new ArrayList<>();
        if (systemPrompt != null) messages.add(ChatTemplate.Message.system(systemPrompt));
        messages.add(ChatTemplate.Message.user(question.asText()));
        out.add(new Problem(tokenizer.encode(template.render(messages, true)), node.path("answer").asText()));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (out.isEmpty()) throw new IllegalArgumentException(file + ": no problems");
    return out;
  }

  /** Content of the last {@code \boxed{...}} of a text, trimmed, or null. */
  public static String lastBoxed(String text) {
    Matcher m = BOXED.matcher(text);
    String last = null;
    while (m.find()) last = m.group(1).trim();
    return last;
  }

  static boolean matches(String got, String gold) {
    if (got == null) return false;
    String g = gold.trim();
    try {
      return new BigInteger(got.replace(",", "")).equals(new BigInteger(g.replace(",", "")));
    } catch (NumberFormatException e) {
      return got.equals(g);
    }
  }
}
