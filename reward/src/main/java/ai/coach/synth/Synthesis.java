package ai.coach.synth;

import ai.coach.critic.CodeExecutor;
import ai.coach.critic.CriticMode;
import ai.coach.critic.CriticPrompts;
import ai.coach.critic.SandboxCodeExecutor;
import ai.coach.grade.AnswerGrader;
import ai.coach.lm.ModelRegistry;
import ai.coach.lm.SamplingParams;
import ai.coach.progress.Progress;
import ai.coach.rollout.PolicySpec;
import ai.coach.rollout.Rollout;
import ai.coach.rollout.Solution;
import ai.coach.rollout.Task;
import ai.coach.synth.Records.Critique;
import ai.coach.synth.Records.Estimate;
import ai.coach.synth.Records.Labelled;
import ai.coach.synth.Records.ProblemSamples;
import ai.coach.synth.Records.SampledPath;
import ai.coach.testbed.ArithmeticGenerator;
import ai.coach.testbed.ArithmeticProblem;
import ai.coach.testbed.JsonLines;
import ai.coach.testbed.Split;
import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.Tokenizer;
import ai.coach.train.SftData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;

/**
 * GenPRM's data recipe on the testbed, one method per stage, each reading the previous stage's
 * file in the run directory and appending its own as work finishes:
 *
 * <ol>
 *   <li>{@code solutions}: sample solutions per problem, keep problems with both right and wrong
 *       ones, balance the two;
 *   <li>{@code monte-carlo}: MC(s_t) for every step prefix from policy rollouts;
 *   <li>{@code labels}: Relative Progress Estimation labels (and the hard-label baseline);
 *   <li>{@code rationales}: the programmatic teacher's critique of every step, its code run in the
 *       sandbox;
 *   <li>{@code filter}: consensus filtering (labels against the teacher's judgements) and the
 *       tokenized SFT conversations.
 * </ol>
 *
 * Training the critic on the result is the trainer's job ({@code coach train sft}).
 */
public final class Synthesis {

  public static final List<String> STAGES = List.of("solutions", "monte-carlo", "labels", "rationales", "filter");

  private final SynthConfig config;
  private final Path dir;
  private final boolean progress;
  private final Consumer<String> log;
  private final Map<String, ArithmeticProblem> problems = new LinkedHashMap<>();

  public Synthesis(SynthConfig config, boolean progress, Consumer<String> log) {
    this.config = config;
    this.dir = Path.of(config.runDir());
    this.progress = progress;
    this.log = log;
    new ArithmeticGenerator(config.problems().seed(), Split.TRAIN).generate(config.problems().n())
        .forEach(p -> problems.put(p.id(), p));
  }

  public void run(String stage) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    switch (stage) {
      case "solutions" -> solutions();
      case "monte-carlo" -> monteCarlo();
      case "labels" -> labels();
      case "rationales" -> rationales();
      case "filter" -> filter();
      default -> throw new IllegalArgumentException("unknown stage '" + stage + "'; stages are " + STAGES);
    }
  }

  // ---- stage 1 ---------------------------------------------------------------------------

  void solutions() {
    int samples = config.solutions().samples();
    try (Journal<ProblemSamples> out = Journal.open(dir.resolve("solutions.jsonl"), ProblemSamples.class);
         AnswerGrader grader = AnswerGrader.start(1)) {
      Set<String> done = out.records().stream().map(ProblemSamples::problemId).collect(Collectors.toSet());
      List<ArithmeticProblem> todo = problems.values().stream().filter(p -> !done.contains(p.id())).toList();
      int perCall = Math.max(1, config.policy().batch() / samples);
      try (ProgressBar bar = bar("solutions", problems.size(), done.size(), " problems")) {
        for (int from = 0; from < todo.size(); from += perCall) {
          List<ArithmeticProblem> batch = todo.subList(from, Math.min(todo.size(), from + perCall));
          List<Task> tasks = batch.stream().map(p -> new Task(p.id(), p.problem(), p.answer())).toList();
          List<Solution> sampled = Rollout.solve(tasks, policySpec(), samples);
          List<ProblemSamples> records = new ArrayList<>();
          for (int i = 0; i < batch.size(); i++) {
            records.add(keep(batch.get(i), sampled.subList(i * samples, (i + 1) * samples), grader));
          }
          out.append(records);
          step(bar, batch.size());
        }
      }
      List<ProblemSamples> all = out.records();
      long mixed = all.stream().filter(r -> !r.kept().isEmpty()).count();
      long kept = all.stream().mapToLong(r -> r.kept().size()).sum();
      double pass = all.stream().mapToDouble(ProblemSamples::passRate).average().orElse(0);
      log.accept(String.format("solutions: %d problems, mean pass rate %.3f; %d have right and wrong solutions; %d solutions kept",
          all.size(), pass, mixed, kept));
    }
  }

  /** Distinct right and wrong solutions of a problem, as many of each (at most max_per_side). */
  private ProblemSamples keep(ArithmeticProblem p, List<Solution> sampled, AnswerGrader grader) {
    List<SampledPath> right = new ArrayList<>();
    List<SampledPath> wrong = new ArrayList<>();
    Set<List<String>> seen = new HashSet<>();
    int correct = 0;
    for (Solution s : sampled) {
      boolean ok = "stop".equals(s.finishReason()) && grader.equal(s.text(), p.answer());
      if (ok) correct++;
      if (s.steps().isEmpty() || !seen.add(s.steps())) continue;
      (ok ? right : wrong).add(new SampledPath(p.id() + "#" + s.sample(), p.id(), s.steps(), ok));
    }
    int n = Math.min(config.solutions().maxPerSide(), Math.min(right.size(), wrong.size()));
    List<SampledPath> kept = new ArrayList<>(right.subList(0, n));
    kept.addAll(wrong.subList(0, n));
    return new ProblemSamples(p.id(), sampled.size(), correct, kept);
  }

  // ---- stage 2 ---------------------------------------------------------------------------

  void monteCarlo() {
    List<ProblemSamples> sampled = sampled();
    Map<String, Double> passRate = sampled.stream().collect(Collectors.toMap(ProblemSamples::problemId, ProblemSamples::passRate));
    List<SampledPath> paths = sampled.stream().flatMap(r -> r.kept().stream()).toList();
    try (Journal<Estimate> out = Journal.open(dir.resolve("monte_carlo.jsonl"), Estimate.class);
         AnswerGrader grader = AnswerGrader.start(1)) {
      Set<String> done = out.records().stream().map(e -> e.path().id()).collect(Collectors.toSet());
      List<SampledPath> todo = paths.stream().filter(p -> !done.contains(p.id())).toList();
      int perCall = Math.max(1, config.policy().batch() / config.monteCarlo().rolloutsLow());
      try (ProgressBar bar = bar("monte-carlo", paths.size(), done.size(), " solutions")) {
        for (int from = 0; from < todo.size(); from += perCall) {
          List<SampledPath> batch = todo.subList(from, Math.min(todo.size(), from + perCall));
          out.append(estimate(batch, passRate, grader));
          step(bar, batch.size());
        }
      }
      long rollouts = out.records().stream().flatMap(e -> e.rollouts().stream()).mapToLong(Integer::longValue).sum();
      log.accept(String.format("monte-carlo: %d solutions, %d rollouts", out.records().size(), rollouts));
    }
  }

  /**
   * MC(s_t) for every step of every solution in the batch. First every solution's step 1 gets
   * rollouts_high rollouts; that estimate picks the solution's rollout count, which step 1 is
   * topped up to and every later step but the last gets.
   */
  private List<Estimate> estimate(List<SampledPath> batch, Map<String, Double> passRate, AnswerGrader grader) {
    SynthConfig.MonteCarlo mc = config.monteCarlo();
    List<Rollouts> first = new ArrayList<>();
    for (SampledPath p : batch) {
      if (p.steps().size() > 1) first.add(new Rollouts(p, 1, 0, mc.rolloutsHigh()));
    }
    Map<String, int[]> hits = new LinkedHashMap<>();
    run(first, hits, grader);
    List<Rollouts> rest = new ArrayList<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (SampledPath p : batch) {
      if (p.steps().size() == 1) continue;
      int k = mc.forFirstStep(hits.get(p.id())[0] / (double) mc.rolloutsHigh());
      counts.put(p.id(), k);
      if (k > mc.rolloutsHigh()) rest.add(new Rollouts(p, 1, mc.rolloutsHigh(), k - mc.rolloutsHigh()));
      for (int t = 2; t < p.steps().size(); t++) rest.add(new Rollouts(p, t, 0, k));
    }
    run(rest, hits, grader);
    List<Estimate> out = new ArrayList<>();
    for (SampledPath p : batch) {
      int steps = p.steps().size();
      List<Double> values = new ArrayList<>();
      List<Integer> used = new ArrayList<>();
      for (int t = 1; t < steps; t++) {
        int k = counts.get(p.id());
        values.add(hits.get(p.id())[t - 1] / (double) k);
        used.add(k);
      }
      values.add(p.correct() ? 1.0 : 0.0);
      used.add(0);
      out.add(new Estimate(p, passRate.get(p.problemId()), values, used));
    }
    return out;
  }

  /** {@code count} rollouts from the first {@code prefix} steps of a solution, samples numbered from {@code first}. */
  private record Rollouts(SampledPath path, int prefix, int first, int count) {}

  /** Runs the rollouts (grouped by sample count and numbering) and adds the right ones to {@code hits}. */
  private void run(List<Rollouts> work, Map<String, int[]> hits, AnswerGrader grader) {
    Map<List<Integer>, List<Rollouts>> groups = work.stream()
        .collect(Collectors.groupingBy(r -> List.of(r.first(), r.count()), LinkedHashMap::new, Collectors.toList()));
    for (List<Rollouts> group : groups.values()) {
      int count = group.get(0).count();
      int perCall = Math.max(1, config.policy().batch() / count);
      for (int from = 0; from < group.size(); from += perCall) {
        List<Rollouts> chunk = group.subList(from, Math.min(group.size(), from + perCall));
        List<Task> tasks = new ArrayList<>();
        List<List<String>> prefixes = new ArrayList<>();
        for (Rollouts r : chunk) {
          ArithmeticProblem p = problems.get(r.path().problemId());
          tasks.add(new Task(r.path().id(), p.problem(), p.answer()));
          prefixes.add(r.path().steps().subList(0, r.prefix()));
        }
        List<Solution> done = Rollout.continueFrom(tasks, prefixes, policySpec(), count, chunk.get(0).first());
        for (int i = 0; i < done.size(); i++) {
          Rollouts r = chunk.get(i / count);
          Solution s = done.get(i);
          int[] h = hits.computeIfAbsent(r.path().id(), k -> new int[r.path().steps().size()]);
          if ("stop".equals(s.finishReason()) && grader.equal(s.text(), problems.get(r.path().problemId()).answer())) {
            h[r.prefix() - 1]++;
          }
        }
      }
    }
  }

  // ---- stage 3 ---------------------------------------------------------------------------

  void labels() {
    List<Estimate> estimates = estimates();
    List<Labelled> out = new ArrayList<>();
    for (Estimate e : estimates) {
      RelativeProgress.StepLabels l = RelativeProgress.label(e.passRate(), e.mc(), config.labels().epsilon());
      out.add(new Labelled(e.path().id(), e.path().problemId(), l.progress(), l.rpe(), l.hard()));
    }
    JsonLines.write(dir.resolve("labels.jsonl"), out);
    long steps = out.stream().mapToLong(l -> l.rpe().size()).sum();
    long good = out.stream().flatMap(l -> l.rpe().stream()).filter(b -> b).count();
    long hardGood = out.stream().flatMap(l -> l.hard().stream()).filter(b -> b).count();
    log.accept(String.format("labels: %d solutions, %d steps; good steps: %d by RPE (epsilon %.2f), %d by MC > 0",
        out.size(), steps, good, config.labels().epsilon(), hardGood));
  }

  // ---- stage 4 ---------------------------------------------------------------------------

  void rationales() {
    List<Estimate> estimates = estimates();
    try (Journal<Critique> out = Journal.open(dir.resolve("rationales.jsonl"), Critique.class);
         SandboxCodeExecutor sandbox = SandboxCodeExecutor.open(5.0)) {
      Set<String> done = out.records().stream().map(Critique::id).collect(Collectors.toSet());
      List<SampledPath> todo = estimates.stream().map(Estimate::path).filter(p -> !done.contains(p.id())).toList();
      try (ProgressBar bar = bar("rationales", estimates.size(), done.size(), " solutions")) {
        for (SampledPath p : todo) {
          try (CodeExecutor.Session session = sandbox.openSession()) {
            List<Rationale> rationales = Teacher.write(problems.get(p.problemId()), p.steps(), session);
            out.append(List.of(new Critique(p.id(), p.problemId(), rationales)));
          }
          step(bar, 1);
        }
      }
      log.accept(String.format("rationales: %d solutions critiqued", out.records().size()));
    }
  }

  // ---- stage 5 ---------------------------------------------------------------------------

  /**
   * The conversation formats the filter writes: full mode, and analyze mode for the ablation that
   * measures what the code adds ({@code sft-<labels>-analyze.jsonl}).
   */
  private static final List<CriticMode> TRAINED_MODES = List.of(CriticMode.FULL, CriticMode.ANALYZE);

  void filter() {
    Map<String, Estimate> estimates = byId(estimates(), e -> e.path().id());
    Map<String, Labelled> labels = byId(finished("labels.jsonl", Labelled.class, "labels", estimates.keySet(), Labelled::id,
        "solutions"), Labelled::id);
    List<Critique> critiques = finished("rationales.jsonl", Critique.class, "rationales", estimates.keySet(), Critique::id,
        "solutions");
    Path tokenizerDir = Path.of(config.critic().tokenizer());
    Tokenizer tokenizer = Tokenizer.load(tokenizerDir);
    ChatTemplate template = ChatTemplate.load(tokenizerDir);
    CriticPrompts prompts = CriticPrompts.genprm();
    // Both label variants keep many of the same solutions; each solution's conversations are tokenized once.
    Map<String, Map<CriticMode, SftData.Example>> examples = new HashMap<>();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("solutions", critiques.size());
    for (String variant : List.of("rpe", "hard")) {
      Map<CriticMode, List<SftData.Example>> train = new EnumMap<>(CriticMode.class);
      Map<CriticMode, List<SftData.Example>> dev = new EnumMap<>(CriticMode.class);
      int kept = 0;
      int keptCorrect = 0;
      int badSteps = 0;
      int steps = 0;
      int tooLong = 0;
      for (Critique c : critiques) {
        Labelled l = labels.get(c.id());
        List<Boolean> wanted = variant.equals("rpe") ? l.rpe() : l.hard();
        List<Boolean> judged = c.rationales().stream().map(Rationale::correct).toList();
        if (!wanted.equals(judged)) continue;
        SampledPath p = estimates.get(c.id()).path();
        Map<CriticMode, SftData.Example> ex = examples.computeIfAbsent(c.id(), id -> {
          Map<CriticMode, SftData.Example> byMode = new EnumMap<>(CriticMode.class);
          for (CriticMode mode : TRAINED_MODES) {
            byMode.put(mode, CritiqueConversation.example(prompts, tokenizer, template, mode,
                problems.get(p.problemId()).problem(), p.steps(), c.rationales()));
          }
          return byMode;
        });
        // Full mode's conversation is the longer one: both modes keep the same solutions.
        if (ex.get(CriticMode.FULL).ids().length > config.critic().maxLength()) {
          tooLong++;
          continue;
        }
        kept++;
        if (p.correct()) keptCorrect++;
        steps += judged.size();
        badSteps += (int) judged.stream().filter(b -> !b).count();
        ex.forEach((mode, e) -> (isDev(p.problemId()) ? dev : train).computeIfAbsent(mode, m -> new ArrayList<>()).add(e));
      }
      for (CriticMode mode : TRAINED_MODES) {
        String name = "sft-" + variant + (mode == CriticMode.FULL ? "" : "-" + mode.cliName());
        writeExamples(dir.resolve(name + ".jsonl"), train.getOrDefault(mode, List.of()));
        writeExamples(dir.resolve(name + "-dev.jsonl"), dev.getOrDefault(mode, List.of()));
      }
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("kept", kept);
      v.put("dropped_share", critiques.isEmpty() ? 0 : 1 - kept / (double) critiques.size());
      v.put("dropped_too_long", tooLong);
      v.put("kept_correct", keptCorrect);
      v.put("kept_incorrect", kept - keptCorrect);
      v.put("steps", steps);
      v.put("bad_steps", badSteps);
      v.put("train_examples", train.getOrDefault(CriticMode.FULL, List.of()).size());
      v.put("dev_examples", dev.getOrDefault(CriticMode.FULL, List.of()).size());
      report.put(variant, v);
      log.accept(String.format(
          "filter (%s labels): kept %d of %d solutions (%.0f%% dropped, %d of them too long), %d right and %d wrong; %d train, %d dev",
          variant, kept, critiques.size(), 100 * (double) v.get("dropped_share"), tooLong, keptCorrect, kept - keptCorrect,
          v.get("train_examples"), v.get("dev_examples")));
    }
    try {
      Journal.JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("filter.json").toFile(), report);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Dev problems are chosen by id, so the split does not depend on which solutions survived filtering. */
  private boolean isDev(String problemId) {
    return Math.floorMod(problemId.hashCode(), 1000) < config.critic().devFraction() * 1000;
  }

  // ---- helpers ---------------------------------------------------------------------------

  private PolicySpec policySpec() {
    SynthConfig.Policy p = config.policy();
    return new PolicySpec(p.model(), "float32",
        new SamplingParams(p.temperature(), p.topP(), 0, p.maxNewTokens(), p.seed(), 0, List.of()), p.systemPrompt());
  }

  /**
   * A finished stage's records, one for each piece of its work (given by id). A killed stage leaves
   * a file that reads fine but holds part of the work, and another config (another n or seed) makes
   * other work; the stages after it must quietly build on neither.
   */
  private <T> List<T> finished(String file, Class<T> type, String stage, Set<String> work, Function<T, String> id, String what) {
    List<T> records = Journal.readFinished(dir.resolve(file), type, stage);
    Set<String> seen = new HashSet<>();
    for (T r : records) {
      String i = id.apply(r);
      if (!work.contains(i)) {
        throw new IllegalStateException(String.format("%s holds %s, which this config does not make: it was made with "
            + "another config; give this one its own run_dir", dir.resolve(file), i));
      }
      if (!seen.add(i)) throw new IllegalStateException(String.format("%s holds %s twice", dir.resolve(file), i));
    }
    if (seen.size() < work.size()) {
      throw new IllegalStateException(String.format("%s holds %d of the %d %s: run the '%s' stage to its end first",
          dir.resolve(file), seen.size(), work.size(), what, stage));
    }
    return records;
  }

  /** The solutions stage's records, one for every problem of the config. */
  private List<ProblemSamples> sampled() {
    return finished("solutions.jsonl", ProblemSamples.class, "solutions", problems.keySet(), ProblemSamples::problemId, "problems");
  }

  /** The Monte Carlo estimates, one for every solution the solutions stage kept. */
  private List<Estimate> estimates() {
    Set<String> kept = sampled().stream().flatMap(r -> r.kept().stream()).map(SampledPath::id).collect(Collectors.toSet());
    return finished("monte_carlo.jsonl", Estimate.class, "monte-carlo", kept, e -> e.path().id(), "solutions");
  }

  private static <T> Map<String, T> byId(List<T> records, Function<T, String> id) {
    Map<String, T> out = new LinkedHashMap<>();
    for (T r : records) out.put(id.apply(r), r);
    return out;
  }

  private static void writeExamples(Path file, List<SftData.Example> examples) {
    List<Map<String, Object>> lines = new ArrayList<>();
    for (SftData.Example ex : examples) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("input_ids", ex.ids());
      int[] mask = new int[ex.lossMask().length];
      for (int i = 0; i < mask.length; i++) mask[i] = (int) ex.lossMask()[i];
      m.put("loss_mask", mask);
      lines.add(m);
    }
    JsonLines.write(file, lines);
  }

  private ProgressBar bar(String name, int total, int done, String unit) {
    return progress ? Progress.resumed(name, total, done, unit) : null;
  }

  private static void step(ProgressBar bar, int n) {
    if (bar != null) bar.stepBy(n);
  }

  /** Releases the policy this process loaded. */
  public static void release() {
    ModelRegistry.closeAll();
  }
}
