package ai.coach.cli;

import ai.coach.lm.Checkpoint;
import ai.coach.lm.Completion;
import ai.coach.lm.LanguageModel;
import ai.coach.lm.SamplingParams;
import ai.coach.lm.SequenceState;
import ai.coach.lm.TokenLogprob;
import ai.coach.tokenizer.ChatTemplate;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coach lm ...}: run a checkpoint directly. */
@Command(
    name = "lm",
    mixinStandardHelpOptions = true,
    description = "Run a language model checkpoint: logits and generation.",
    subcommands = {LmCommand.Logits.class, LmCommand.Generate.class})
public final class LmCommand implements Runnable {

  static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }

  /** Shared by the subcommands that load a model. */
  static final class ModelOptions {
    @Option(names = "--model", required = true, description = "Hugging Face checkpoint directory.")
    Path model;

    @Option(names = "--dtype", defaultValue = "float32", description = "Compute dtype: float32 (CPU default), float16, bfloat16.")
    String dtype;

    DataType dataType() {
      return Checkpoint.dtype(dtype);
    }
  }

  static int[] parseIds(String csv) {
    String[] parts = csv.split(",");
    int[] ids = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        ids[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--token-ids must be comma-separated integers, got '" + parts[i] + "'");
      }
    }
    return ids;
  }

  @Command(name = "logits", mixinStandardHelpOptions = true, description = "Print fp32 logits at every input position as JSON.")
  static final class Logits implements Callable<Integer> {
    @picocli.CommandLine.Mixin ModelOptionsMixin model;

    @Option(names = "--token-ids", required = true, description = "Comma-separated input token ids.")
    String tokenIds;

    @Override
    public Integer call() throws Exception {
      try (Checkpoint ckpt = Checkpoint.load(model.options.model, model.options.dataType())) {
        LanguageModel lm = ckpt.model();
        int[] ids = parseIds(tokenIds);
        float[][] rows;
        try (SequenceState s = lm.newSequence()) {
          rows = lm.appendAll(List.of(s), List.of(ids)).get(0);
        }
        PrintStream out = System.out;
        out.println(JSON.writeValueAsString(Map.of("logits", rows)));
        return 0;
      }
    }
  }

  /** picocli mixes option groups in through a wrapper. */
  static final class ModelOptionsMixin {
    @ArgGroup(exclusive = false, multiplicity = "1")
    ModelOptions options;
  }

  @Command(name = "generate", mixinStandardHelpOptions = true, description = "Sample continuations; one JSON line per sample.")
  static final class Generate implements Callable<Integer> {
    @picocli.CommandLine.Mixin ModelOptionsMixin model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
      @Option(names = "--prompt", description = "Prompt text.")
      String prompt;

      @Option(names = "--token-ids", description = "Comma-separated prompt token ids (no tokenizer needed).")
      String tokenIds;
    }

    @Option(names = "--chat", description = "Wrap --prompt as a user turn in the model's chat template.")
    boolean chat;

    @Option(names = "--system", description = "System message for --chat.")
    String system;

    @Option(names = "--max-new-tokens", defaultValue = "128")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy.")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", description = "0 = off.")
    int topK;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--n", defaultValue = "1", description = "Samples from the prompt (its prefix is computed once).")
    int n;

    @Option(names = "--logprobs", defaultValue = "0", description = "Top alternatives per token, 0 to 20.")
    int logprobs;

    @Option(names = "--stop", description = "Stop string (repeatable).")
    List<String> stop = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      if (n < 1) throw new IllegalArgumentException("--n must be >= 1, got " + n);
      if (chat && input.prompt == null) throw new IllegalArgumentException("--chat needs --prompt");
      SamplingParams params = new SamplingParams(temperature, topP, topK, maxNewTokens, seed, logprobs, stop);
      try (Checkpoint ckpt = Checkpoint.load(model.options.model, model.options.dataType())) {
        int[] prompt;
        if (input.tokenIds != null) {
          prompt = parseIds(input.tokenIds);
        } else if (chat) {
          List<ChatTemplate.Message> messages = new ArrayList<>();
          if (system != null) messages.add(ChatTemplate.Message.system(system));
          messages.add(ChatTemplate.Message.user(input.prompt));
          prompt = ckpt.tokenizer().encode(ckpt.chatTemplate().render(messages, true));
        } else {
          prompt = ckpt.tokenizer().encode(input.prompt);
        }
        for (Completion c : ckpt.generator().sample(prompt, n, params)) {
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("text", c.text());
          line.put("token_ids", c.tokenIds());
          line.put("logprobs", logprobsJson(c.logprobs()));
          line.put("finish_reason", c.finishReason());
          System.out.println(JSON.writeValueAsString(line));
        }
        return 0;
      }
    }

    private static List<Map<String, Object>> logprobsJson(List<TokenLogprob> lps) {
      List<Map<String, Object>> out = new ArrayList<>();
      for (TokenLogprob lp : lps) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("token_id", lp.token());
        m.put("logprob", lp.logprob());
        List<Map<String, Object>> top = new ArrayList<>();
        for (TokenLogprob.Alternative a : lp.top()) top.add(Map.of("token_id", a.token(), "logprob", a.logprob()));
        m.put("top", top);
        out.add(m);
      }
      return out;
    }
  }
}
