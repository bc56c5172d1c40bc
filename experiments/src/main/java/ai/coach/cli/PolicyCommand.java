package ai.coach.cli;

import ai.coach.lm.Checkpoint;
import ai.coach.train.AnswerAccuracy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coach policy ...}: measure a policy model. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Evaluate policy models.",
    subcommands = {PolicyCommand.Eval.class})
public final class PolicyCommand implements Runnable {

  /** The instruction the testbed's SFT data and tokenizer corpus use. */
  static final String TESTBED_SYSTEM_PROMPT =
      "Solve the problem step by step. Write one step per line and put the final answer in \\boxed{}.";

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Answer accuracy on JSONL problems ({problem|prompt, answer}); prints JSON.")
  static final class Eval implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model directory (with tokenizer and chat template).")
    Path model;

    @Option(names = "--data", required = true, description = "JSONL problems, e.g. from coach data problems.")
    Path data;

    @Option(names = "--samples", defaultValue = "1", description = "Generations per problem.")
    int samples;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy.")
    double temperature;

    @Option(names = "--seed", defaultValue = "0", description = "Sample i of a problem uses seed + i.")
    long seed;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N problems (0 = all).")
    int limit;

    @Option(names = "--max-new-tokens", defaultValue = "320")
    int maxNewTokens;

    @Option(names = "--batch", defaultValue = "16", description = "Prompts generated together.")
    int batch;

    @Option(names = "--system", description = "System prompt (default: the testbed's instruction; '' for none).")
    String system;

    @Override
    public Integer call() throws Exception {
      String sys = system == null ? TESTBED_SYSTEM_PROMPT : system.isEmpty() ? null : system;
      try (Checkpoint ckpt = Checkpoint.load(model, DataType.FLOAT)) {
        List<AnswerAccuracy.Problem> problems = AnswerAccuracy.read(data, ckpt.tokenizer(), ckpt.chatTemplate(), sys, limit);
        long start = System.nanoTime();
        AnswerAccuracy.Result r = AnswerAccuracy.evaluate(ckpt, problems, samples, temperature, seed, maxNewTokens, batch);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accuracy", r.accuracy());
        out.put("solved", r.solved());
        out.put("problems", r.problems());
        out.put("samples", r.samplesPerProblem());
        out.put("correct", r.correct());
        out.put("temperature", temperature);
        out.put("seconds", (System.nanoTime() - start) / 1e9);
        System.out.println(LmCommand.JSON.writeValueAsString(out));
        return 0;
      }
    }
  }
}
