package ai.coach.cli;

import ai.coach.grade.AnswerGrader;
import ai.coach.lm.SamplingParams;
import ai.coach.rollout.PolicyPrompt;
import ai.coach.rollout.PolicySpec;
import ai.coach.rollout.Rollout;
import ai.coach.rollout.Solution;
import ai.coach.rollout.Task;
import ai.coach.testbed.ArithmeticProblem;
import ai.coach.testbed.JsonLines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coach policy ...}: run a policy checkpoint on a problem set. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Evaluate a policy.",
    subcommands = {PolicyCommand.Eval.class})
public final class PolicyCommand implements Runnable {

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Sample solutions to a problems JSONL ({id, problem, steps, answer}) and grade their final answers.")
  static final class Eval implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Policy checkpoint directory.")
    Path model;

    @Option(names = "--data", required = true, description = "Problems JSONL, e.g. from 'coach data problems'.")
    Path data;

    @Option(names = "--samples", defaultValue = "1", description = "Solutions per problem (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0")
    double topP;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--max-new-tokens", defaultValue = "256")
    int maxNewTokens;

    @Option(names = "--batch", defaultValue = "32", description = "Problems per forward batch.")
    int batch;

    @Option(names = "--limit", description = "Only the first N problems.")
    Integer limit;

    @Option(names = "--system", description = "System prompt (default: the testbed instruction the tiny policy is trained with; '' for none).")
    String system;

    @Override
    public Integer call() throws Exception {
      if (samples < 1) throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
      if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
      List<ArithmeticProblem> problems = JsonLines.read(data, ArithmeticProblem.class);
      if (limit != null) problems = problems.subList(0, Math.min(limit, problems.size()));
      if (problems.isEmpty()) throw new IllegalArgumentException(data + ": no problems");
      List<Task> tasks = new ArrayList<>();
      Map<String, String> gold = new HashMap<>();
      for (ArithmeticProblem p : problems) {
        tasks.add(new Task(p.id(), p.problem(), p.answer()));
        gold.put(p.id(), p.answer());
      }
      String sys = system == null ? PolicyPrompt.TESTBED_SYSTEM_PROMPT : system.isEmpty() ? null : system;
      PolicySpec spec = new PolicySpec(model.toString(), "float32",
          new SamplingParams(temperature, topP, 0, maxNewTokens, seed, 0, List.of()), sys);
      int correct = 0;
      int answered = 0;
      int total = 0;
      Map<String, Boolean> anyCorrect = new HashMap<>();
      long start = System.nanoTime();
      try (AnswerGrader grader = AnswerGrader.start(1)) {
        for (int from = 0; from < tasks.size(); from += batch) {
          List<Task> chunk = tasks.subList(from, Math.min(tasks.size(), from + batch));
          for (Solution s : Rollout.solve(chunk, spec, samples)) {
            boolean ok = grader.equal(s.text(), gold.get(s.taskId()));
            boolean hasAnswer = grader.extractAnswer(s.text()).isPresent();
            correct += ok ? 1 : 0;
            answered += hasAnswer ? 1 : 0;
            total++;
            anyCorrect.merge(s.taskId(), ok, Boolean::logicalOr);
          }
          System.err.printf("policy eval: %d/%d problems, accuracy so far %.3f%n",
              Math.min(tasks.size(), from + batch), tasks.size(), (double) correct / total);
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("accuracy", (double) correct / total);
      out.put("pass_at_k", anyCorrect.values().stream().filter(b -> b).count() / (double) anyCorrect.size());
      out.put("answered", (double) answered / total);
      out.put("problems", tasks.size());
      out.put("samples", samples);
      out.put("temperature", temperature);
      out.put("seconds", (System.nanoTime() - start) / 1e9);
      System.out.println(LmCommand.JSON.writeValueAsString(out));
      return 0;
    }
  }
}
