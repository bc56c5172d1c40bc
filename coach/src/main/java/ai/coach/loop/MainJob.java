package ai.coach.loop;

import ai.coach.config.RunSettings;
import ai.coach.critic.CriticConfig;
import ai.coach.critic.CriticMode;
import ai.coach.critic.CritiqueRequest;
import ai.coach.critic.CritiqueResult;
import ai.coach.critic.SandboxCodeExecutor;
import ai.coach.grade.AnswerGrader;
import ai.coach.lm.ModelRegistry;
import ai.coach.lm.SamplingParams;
import ai.coach.lm.TensorStore;
import ai.coach.rollout.PolicySpec;
import ai.coach.rollout.Rollout;
import ai.coach.rollout.Solution;
import ai.coach.rollout.Task;
import ai.coach.testbed.ArithmeticGenerator;
import ai.coach.testbed.ArithmeticProblem;
import ai.coach.testbed.Split;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The main job on the testbed: sample solutions with the policy, grade their final answers, and
 * when a critic is configured score every step with it (best-of-N by the weakest step). Results
 * are appended to solutions.jsonl batch by batch, so a killed run resumes where it stopped
 * without redoing finished problems; report.json summarises whatever is finished.
 */
public final class MainJob {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RunConfig config;
  private final Path out;
  private final Consumer<String> log;

  public MainJob(RunConfig config, Path root, Consumer<String> log) {
    this.config = config;
    this.out = root.resolve(config.out());
    this.log = log;
  }

  public Map<String, Object> run() throws IOException {
    Files.createDirectories(out);
    RunSettings.keepOrCheck(out.resolve("run.json"), settings());
    Path solutionsFile = out.resolve("solutions.jsonl");
    Map<String, List<RunRecord>> done = Resume.read(solutionsFile, config.policy().samples());
    List<ArithmeticProblem> problems = problems();
    List<ArithmeticProblem> todo = problems.stream().filter(p -> !done.containsKey(p.id())).toList();
    log.accept(String.format("run: %d problems, %d already done in %s, %d to go",
        problems.size(), problems.size() - todo.size(), solutionsFile, todo.size()));
    if (!todo.isEmpty()) {
      RunConfig.Policy pc = config.policy();
      PolicySpec spec = new PolicySpec(pc.model(), "float32",
          new SamplingParams(pc.temperature(), pc.topP(), 0, pc.maxNewTokens(), pc.seed(), 0, List.of()), pc.systemPrompt());
      try (AnswerGrader grader = AnswerGrader.start(1);
           CriticStage critic = config.critic() == null ? null : new CriticStage(config.critic());
           BufferedWriter writer = Files.newBufferedWriter(solutionsFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        long start = System.nanoTime();
        for (int from = 0; from < todo.size(); from += pc.batch()) {
          List<ArithmeticProblem> batch = todo.subList(from, Math.min(todo.size(), from + pc.batch()));
          List<RunRecord> records = solve(batch, spec, grader, critic);
          for (RunRecord r : records) {
            writer.write(JSON.writeValueAsString(r));
            writer.newLine();
            done.computeIfAbsent(r.taskId(), k -> new ArrayList<>()).add(r);
          }
          writer.flush();
          int finished = problems.size() - todo.size() + from + batch.size();
          double elapsed = (System.nanoTime() - start) / 1e9;
          log.accept(String.format("run: %d/%d problems (%.0f s, %.2f problems/s)", finished, problems.size(), elapsed,
              (from + batch.size()) / elapsed));
        }
      }
    }
    Map<String, Object> report = Report.summarise(done, config);
    JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("report.json").toFile(), report);
    ModelRegistry.closeAll();
    return report;
  }

  /**
   * What the results depend on: the config but its output directory and number of problems (a
   * larger n extends the same sequence of problems), and the weights behind the model paths.
   */
  private Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    RunConfig.TaskSet t = config.task();
    s.put("task", Map.of("name", t.name(), "split", t.split(), "seed", t.seed()));
    s.put("policy", config.policy());
    s.put("policy_sha256", TensorStore.sha256(Path.of(config.policy().model())));
    if (config.critic() != null) {
      s.put("critic", config.critic());
      s.put("critic_sha256", TensorStore.sha256(Path.of(config.critic().model())));
    }
    return s;
  }

  private List<ArithmeticProblem> problems() {
    RunConfig.TaskSet t = config.task();
    return new ArithmeticGenerator(t.seed(), Split.valueOf(t.split().toUpperCase())).generate(t.n());
  }

  private List<RunRecord> solve(List<ArithmeticProblem> batch, PolicySpec spec, AnswerGrader grader, CriticStage critic) {
    List<Task> tasks = new ArrayList<>();
    Map<String, ArithmeticProblem> byId = new HashMap<>();
    for (ArithmeticProblem p : batch) {
      tasks.add(new Task(p.id(), p.problem(), p.answer()));
      byId.put(p.id(), p);
    }
    List<Solution> solutions = Rollout.solve(tasks, spec, config.policy().samples());
    List<CritiqueResult> critiques = critic == null ? null : critic.critique(solutions, byId);
    List<RunRecord> records = new ArrayList<>();
    for (int i = 0; i < solutions.size(); i++) {
      Solution s = solutions.get(i);
      ArithmeticProblem p = byId.get(s.taskId());
      String answer = grader.extractAnswer(s.text()).orElse(null);
      boolean correct = grader.equal(s.text(), p.answer());
      List<Double> rewards = critiques == null ? null : critiques.get(i).stepRewards();
      int rejected = critiques == null ? -1 : critiques.get(i).firstErrorStep();
      records.add(new RunRecord(s.taskId(), s.sample(), p.problem(), p.answer(), s.steps(), answer, correct,
          s.finishReason(), rewards, rejected));
    }
    return records;
  }

  /** The critic and its code sandbox, open for the whole run. */
  private static final class CriticStage implements AutoCloseable {
    private final ai.coach.critic.Critic critic;
    private final SandboxCodeExecutor executor;

    CriticStage(RunConfig.Critic c) {
      CriticConfig cc = CriticConfig.DEFAULTS.withMode(c.mode()).withSamples(c.samples()).withTemperature(c.temperature())
          .withThreshold(c.threshold()).withSeed(c.seed());
      this.executor = c.mode() == CriticMode.FULL ? SandboxCodeExecutor.open(5.0) : null;
      this.critic = ai.coach.critic.Critic.of(ModelRegistry.get(Path.of(c.model())), executor, cc);
    }

    List<CritiqueResult> critique(List<Solution> solutions, Map<String, ArithmeticProblem> byId) {
      List<CritiqueRequest> requests = new ArrayList<>();
      for (Solution s : solutions) {
        List<String> steps = s.steps().isEmpty() ? List.of(s.text()) : s.steps();
        requests.add(new CritiqueRequest(s.taskId() + "#" + s.sample(), byId.get(s.taskId()).problem(), steps));
      }
      return critic.critique(requests);
    }

    @Override
    public void close() {
      critic.close();
      if (executor != null) executor.close();
    }
  }

  /** Reading back a run's finished problems. */
  static final class Resume {
    private Resume() {}

    /**
     * Problems with all their samples on file. A line cut off by a kill is dropped (and so is a
     * problem with fewer samples than configured), so resuming redoes exactly the unfinished work.
     */
    static Map<String, List<RunRecord>> read(Path file, int samples) throws IOException {
      Map<String, List<RunRecord>> byTask = new LinkedHashMap<>();
      if (!Files.exists(file)) return byTask;
      List<String> lines = Files.readAllLines(file);
      List<String> kept = new ArrayList<>();
      for (String line : lines) {
        if (line.isBlank()) continue;
        RunRecord r;
        try {
          r = JSON.readValue(line, RunRecord.class);
        } catch (IOException e) {
          continue;
        }
        byTask.computeIfAbsent(r.taskId(), k -> new ArrayList<>()).add(r);
      }
      byTask.values().removeIf(list -> list.size() < samples);
      for (List<RunRecord> list : byTask.values()) {
        for (RunRecord r : list) kept.add(JSON.writeValueAsString(r));
      }
      if (kept.size() != lines.stream().filter(l -> !l.isBlank()).count()) {
        Files.write(file, kept);
      }
      return byTask;
    }
  }
}
