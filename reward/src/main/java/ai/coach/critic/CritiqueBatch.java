package ai.coach.critic;

import ai.coach.critic.CritiqueResult.CodeRound;
import ai.coach.critic.CritiqueResult.Feedback;
import ai.coach.critic.CritiqueResult.SampleCritique;
import ai.coach.critic.CritiqueResult.StepCritique;
import ai.coach.lm.Sampler;
import ai.coach.lm.SamplingParams;
import ai.coach.lm.SequenceState;
import ai.coach.lm.TokenLogprob;
import ai.coach.tokenizer.ChatTemplate.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * One critique workload: solutions × steps × K samples on one engine.
 *
 * <p>Each iteration of the loop collects, from every live sequence, what it needs next (a
 * sampled token to feed back, forced protocol text, a code output, a new user turn, a prompt)
 * and hands all of it to the engine in a single batched {@code append}. A sample whose code is
 * running in the sandbox simply contributes nothing until its output arrives, so it never holds
 * the others back; executions run on the critic's thread pool, in order within a solution
 * (they share its namespace).
 *
 * <p>Prefixes are computed once: the first sample of a step continues the conversation's state
 * and the other K - 1 fork it; the next step's conversation continues the state of the step's
 * first sample (whose critique is what the history keeps), extended by the tokens the chat
 * template renders for the turn boundary and the next user turn. That is only valid when the
 * state then holds exactly the template's tokenization of the whole conversation, so every
 * step's prompt is rendered in full and compared: when the sampled tokens are not the canonical
 * tokenization of their own text, the conversation is prefilled anew from the template's tokens.
 */
final class CritiqueBatch {

  private final Critic critic;
  private final CriticConfig config;
  private final CriticPrompts prompts;
  private final List<CritiqueRequest> requests;
  private final CritiqueResult[] results;
  private final ArrayDeque<SolutionRun> queued = new ArrayDeque<>();
  private final List<SolutionRun> active = new ArrayList<>();
  private final Set<SequenceState> live = Collections.newSetFromMap(new IdentityHashMap<>());
  private Map<SequenceState, Feed> feeds = new IdentityHashMap<>();

  private long prefillTokens;
  private long decodeTokens;
  private long engineCalls;
  private long prefillNanos;
  private long decodeNanos;
  private long samplingNanos;
  private long codeWaitNanos;
  private final AtomicLong codeNanos = new AtomicLong();
  private final AtomicLong codeRuns = new AtomicLong();
  private long turnsReused;
  private long turnsRecomputed;
  private long steps;
  private long wallNanos;

  /** Tokens to append to one state in the next engine call, and what to do once they are in. */
  private static final class Feed {
    final SequenceState state;
    int[] tokens;
    int sampled;
    final List<Runnable> then = new ArrayList<>();

    Feed(SequenceState state) {
      this.state = state;
      this.tokens = new int[0];
    }
  }

  CritiqueBatch(Critic critic, List<CritiqueRequest> requests) {
    this.critic = critic;
    this.config = critic.config;
    this.prompts = critic.prompts;
    this.requests = List.copyOf(requests);
    this.results = new CritiqueResult[requests.size()];
    for (int i = 0; i < requests.size(); i++) queued.add(new SolutionRun(i, requests.get(i)));
  }

  List<CritiqueResult> run() {
    long start = System.nanoTime();
    try {
      admit();
      while (!active.isEmpty()) {
        long t0 = System.nanoTime();
        pickTokens();
        for (SolutionRun s : List.copyOf(active)) s.advance();
        samplingNanos += System.nanoTime() - t0;
        admit();
        if (feeds.isEmpty()) {
          if (!active.isEmpty()) awaitCode();
          continue;
        }
        engine();
      }
    } finally {
      for (SolutionRun s : active) s.closeSession();
      for (SequenceState s : live) s.close();
      live.clear();
      wallNanos = System.nanoTime() - start;
    }
    return Arrays.asList(results);
  }

  /**
   * Samples the next token of every sequence that is generating, on all cores: with a large
   * vocabulary, softmax, filtering and the top-20 cost about as much per sequence as a small
   * model's forward share, and the engine is idle meanwhile.
   */
  private void pickTokens() {
    List<SampleRun> ready = new ArrayList<>();
    for (SolutionRun s : active) {
      for (StepRun run : s.stepRuns) {
        if (run == null || run.remaining == 0) continue;
        for (SampleRun sample : run.samples) {
          if (sample.generating()) ready.add(sample);
        }
      }
    }
    IntStream.range(0, ready.size()).parallel().forEach(i -> ready.get(i).pick());
  }

  CriticStats stats() {
    return new CriticStats(steps, prefillTokens, decodeTokens, engineCalls, prefillNanos / 1e9, decodeNanos / 1e9,
        samplingNanos / 1e9, codeWaitNanos / 1e9, codeNanos.get() / 1e9, codeRuns.get(), turnsReused, turnsRecomputed,
        wallNanos / 1e9);
  }

  private void admit() {
    active.removeIf(s -> s.finished);
    while (active.size() < config.maxActiveSolutions() && !queued.isEmpty()) {
      SolutionRun s = queued.poll();
      active.add(s);
      s.start();
      if (s.finished) active.remove(s);
    }
  }

  /** One batched forward pass over everything fed this iteration. */
  private void engine() {
    List<Feed> batch = new ArrayList<>(feeds.values());
    feeds = new IdentityHashMap<>();
    List<SequenceState> states = new ArrayList<>(batch.size());
    List<int[]> tokens = new ArrayList<>(batch.size());
    long sampled = 0;
    long total = 0;
    for (Feed f : batch) {
      states.add(f.state);
      tokens.add(f.tokens);
      sampled += f.sampled;
      total += f.tokens.length;
    }
    long t0 = System.nanoTime();
    critic.model.append(states, tokens);
    long dt = System.nanoTime() - t0;
    engineCalls++;
    decodeTokens += sampled;
    prefillTokens += total - sampled;
    long decodeShare = total == 0 ? 0 : dt * sampled / total;
    decodeNanos += decodeShare;
    prefillNanos += dt - decodeShare;
    for (Feed f : batch) {
      for (Runnable r : f.then) r.run();
    }
  }

  /** Nothing to compute until some code finishes: wait for the first one. */
  private void awaitCode() {
    List<CompletableFuture<String>> running = new ArrayList<>();
    for (SolutionRun s : active) s.collectRunningCode(running);
    if (running.isEmpty()) {
      throw new IllegalStateException("critic scheduler stalled: no sequence to advance and no code running");
    }
    long t0 = System.nanoTime();
    try {
      CompletableFuture.anyOf(running.toArray(CompletableFuture[]::new)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for critic code to run", e);
    } catch (ExecutionException e) {
      // The failing sample rethrows it when it collects its output.
    }
    codeWaitNanos += System.nanoTime() - t0;
  }

  /** Queues tokens for {@code state}; several feeds of one state in one iteration are joined. */
  private void feed(SequenceState state, int[] tokens, int sampled, Runnable then) {
    Feed f = feeds.computeIfAbsent(state, Feed::new);
    f.tokens = concat(f.tokens, tokens);
    f.sampled += sampled;
    if (then != null) f.then.add(then);
  }

  /** Length of {@code state} once its queued tokens are in. */
  private int plannedLength(SequenceState state) {
    Feed f = feeds.get(state);
    return state.length() + (f == null ? 0 : f.tokens.length);
  }

  private SequenceState track(SequenceState s) {
    live.add(s);
    return s;
  }

  /** Closes a state the batch no longer needs, with any tokens still queued for it. */
  private void release(SequenceState s) {
    if (s == null) return;
    feeds.remove(s);
    if (live.remove(s)) s.close();
  }

  private int[] encode(String text) {
    return critic.tokenizer.encode(text);
  }

  private static boolean startsWith(int[] whole, int[] prefix) {
    if (prefix.length > whole.length) return false;
    return Arrays.equals(whole, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** One solution: its conversation, its steps in flight, its code session. */
  private final class SolutionRun {
    final int index;
    final CritiqueRequest request;
    final List<Message> messages = new ArrayList<>();
    final StepRun[] stepRuns;
    int stepsDone;
    boolean finished;
    private CodeExecutor.Session session;
    private CompletableFuture<?> codeChain = CompletableFuture.completedFuture(null);

    SolutionRun(int index, CritiqueRequest request) {
      this.index = index;
      this.request = request;
      this.stepRuns = new StepRun[request.steps().size()];
    }

    void start() {
      String system = config.mode() == CriticMode.DIRECT ? prompts.systemDirect() : prompts.systemStepByStep();
      messages.add(Message.system(system));
      messages.add(Message.user(prompts.firstUserTurn(request.problem(), request.steps().get(0))));
      int[] prompt = encode(critic.template.render(messages, true));
      if (!fits(prompt.length)) {
        giveUpFrom(0);
        return;
      }
      SequenceState conv = track(critic.model.newSequence());
      feed(conv, prompt, 0, () -> startStep(0, conv));
    }

    boolean fits(int length) {
      return length + 1 < critic.model.maxPositions();
    }

    /**
     * Sample 0 continues the conversation's own state and the others fork it, so a step holds K
     * caches, not K + 1; the rare paths that need the bare conversation again re-prefill it.
     */
    void startStep(int step, SequenceState conv) {
      StepRun run = new StepRun(this, step, conv.tokens());
      stepRuns[step] = run;
      List<SequenceState> states = new ArrayList<>();
      states.add(conv);
      if (config.samples() > 1) critic.model.fork(conv, config.samples() - 1).forEach(s -> states.add(track(s)));
      for (int k = 0; k < states.size(); k++) run.samples[k] = new SampleRun(run, k, states.get(k));
      for (SampleRun s : run.samples) s.begin();
    }

    void advance() {
      for (StepRun run : stepRuns) {
        if (run == null || run.remaining == 0) continue;
        for (SampleRun s : run.samples) s.advance();
      }
    }

    void collectRunningCode(List<CompletableFuture<String>> out) {
      for (StepRun run : stepRuns) {
        if (run == null || run.remaining == 0) continue;
        for (SampleRun s : run.samples) {
          if (s.code != null) out.add(s.code);
        }
      }
    }

    /** Runs after the solution's earlier snippets, in the solution's session. */
    CompletableFuture<String> runCode(String code) {
      CompletableFuture<String> result = codeChain.thenApplyAsync(ignored -> execute(code), critic.codePool);
      codeChain = result.handle((r, e) -> null);
      return result;
    }

    private String execute(String code) {
      long t0 = System.nanoTime();
      try {
        if (session == null) session = critic.executor.openSession();
        return session.run(code);
      } finally {
        codeNanos.addAndGet(System.nanoTime() - t0);
        codeRuns.incrementAndGet();
      }
    }

    void closeSession() {
      codeChain.whenComplete((r, e) -> {
        if (session != null) session.close();
      });
    }

    /**
     * The first sample of a step is done: its turn joins the history and the next step's
     * conversation is built, reusing that sample's KV cache when its tokens are canonical.
     */
    void historyTurn(SampleRun first) {
      int next = first.step.step + 1;
      if (next == stepRuns.length) return;
      messages.add(Message.assistant(first.turnText.toString()));
      messages.add(Message.user(request.steps().get(next)));
      int[] canonical = encode(critic.template.render(messages, true));
      if (!fits(canonical.length)) {
        giveUpFrom(next);
        return;
      }
      SequenceState base;
      int sampled = 0;
      int[] have = first.held == null ? first.state.tokens() : concat(first.state.tokens(), new int[] {first.held});
      // A state with tokens still queued (a turn cut short by the context limit) is not reused.
      boolean settled = !feeds.containsKey(first.state);
      if (settled && startsWith(canonical, have) && canonical.length > first.state.length()) {
        base = first.state;
        first.state = null;
        sampled = first.held == null ? 0 : 1;
        turnsReused++;
      } else {
        turnsRecomputed++;
        base = track(critic.model.newSequence());
      }
      SequenceState conv = base;
      feed(conv, Arrays.copyOfRange(canonical, conv.length(), canonical.length), sampled, () -> startStep(next, conv));
    }

    /** The conversation outgrew the model: steps from {@code step} on are left undecided. */
    void giveUpFrom(int step) {
      for (int t = step; t < stepRuns.length; t++) {
        StepRun run = new StepRun(this, t, null);
        stepRuns[t] = run;
        for (int k = 0; k < run.samples.length; k++) {
          run.samples[k] = new SampleRun(run, k, null);
          run.samples[k].finishUndecided();
        }
      }
    }

    void stepDone(StepRun run) {
      steps++;
      if (++stepsDone < stepRuns.length) return;
      finished = true;
      closeSession();
      List<Double> rewards = new ArrayList<>();
      List<StepCritique> critiques = new ArrayList<>();
      Feedback feedback = null;
      for (StepRun r : stepRuns) {
        double mean = 0;
        for (SampleCritique c : r.critiques) mean += c.reward();
        mean /= r.critiques.length;
        rewards.add(mean);
        critiques.add(new StepCritique(mean, List.of(r.critiques)));
        if (feedback == null && mean < config.threshold()) feedback = new Feedback(r.step, mean, r.critiques[0].analysis());
      }
      results[index] = new CritiqueResult(request.id(), rewards, critiques, feedback);
    }
  }

  /** The K samples of one step, forked from the conversation up to that step's user turn. */
  private final class StepRun {
    final SolutionRun solution;
    final int step;
    /** The tokens of the conversation up to this step's generation prompt. */
    final int[] conv;
    final SampleRun[] samples;
    final SampleCritique[] critiques;
    int remaining;

    StepRun(SolutionRun solution, int step, int[] conv) {
      this.solution = solution;
      this.step = step;
      this.conv = conv;
      this.samples = new SampleRun[config.samples()];
      this.critiques = new SampleCritique[config.samples()];
      this.remaining = config.samples();
    }

    void sampleDone(SampleRun s) {
      critiques[s.k] = s.critique();
      if (s.k == 0 && s.state != null) solution.historyTurn(s);
      release(s.state);
      s.state = null;
      if (--remaining == 0) solution.stepDone(this);
    }
  }

  private enum Phase { ANALYZE, VERIFY, JUDGE, CODE, DONE }

  /** One critique sample: the phase machine of one assistant turn. */
  private final class SampleRun {
    final StepRun step;
    final int k;
    SequenceState state;
    private final Sampler sampler;
    private Phase phase;
    private boolean fed;
    private TokenLogprob picked;
    private List<String> stops = List.of();
    private int maxNew;
    private final List<TokenLogprob> call = new ArrayList<>();
    final StringBuilder turnText = new StringBuilder();
    private int turnTokens;
    /** The last sampled token of a finished call, appended together with the text that follows it. */
    Integer held;
    private int[] analysisTokens;
    private String analysisCall = "";
    private boolean analysisClosed;
    private final List<CodeRound> rounds = new ArrayList<>();
    private String pendingCode;
    CompletableFuture<String> code;
    private boolean fellBack;
    private String judgementText = "";
    private double reward = Judgement.UNDECIDED;

    SampleRun(StepRun step, int k, SequenceState state) {
      this.step = step;
      this.k = k;
      this.state = state;
      SamplingParams params = new SamplingParams(config.temperature(), config.topP(), config.topK(), 1,
          seed(step.solution.request.id(), step.step), SamplingParams.MAX_LOGPROBS, List.of());
      this.sampler = new Sampler(params, Sampler.streamSeed(params.seed(), k));
    }

    private long seed(String id, int stepIndex) {
      return config.seed() * 1_000_003L + id.hashCode() * 31L + stepIndex;
    }

    void begin() {
      if (config.mode() == CriticMode.DIRECT) {
        int[] prefix = encode(prompts.outputPrefix());
        if (force(prompts.outputPrefix(), prefix)) generate(Phase.JUDGE, List.of(prompts.outputStop()), config.stepTokenBudget() - turnTokens);
      } else {
        String prefix = prompts.analyzePrefix(step.step + 1);
        int[] ids = encode(prefix);
        analysisTokens = ids;
        if (force(prefix, ids)) generate(Phase.ANALYZE, List.of(prompts.analyzeStop()), config.stepTokenBudget());
      }
    }

    /** Queues forced text (after the held token, if any); false when it would not fit the model. */
    private boolean force(String text, int[] ids) {
      int[] tokens = held == null ? ids : concat(new int[] {held}, ids);
      if (!step.solution.fits(plannedLength(state) + tokens.length)) {
        finishUndecided();
        return false;
      }
      turnText.append(text);
      turnTokens += ids.length;
      fed = false;
      feed(state, tokens, held == null ? 0 : 1, () -> fed = true);
      held = null;
      return true;
    }

    private void generate(Phase next, List<String> stopStrings, int budget) {
      int room = critic.model.maxPositions() - 1 - plannedLength(state);
      int limit = Math.min(budget, room);
      if (limit <= 0) {
        finishUndecided();
        return;
      }
      phase = next;
      stops = stopStrings;
      maxNew = limit;
      call.clear();
    }

    boolean generating() {
      return fed && (phase == Phase.ANALYZE || phase == Phase.VERIFY || phase == Phase.JUDGE);
    }

    /** Chooses the next token; its own sampler and logits only, so samples pick in parallel. */
    void pick() {
      picked = sampler.next(state.nextLogits());
    }

    void advance() {
      if (phase == Phase.CODE) {
        if (code.isDone()) codeDone(codeOutput());
        return;
      }
      if (!generating()) return;
      TokenLogprob t = picked != null ? picked : sampler.next(state.nextLogits());
      picked = null;
      if (critic.eosIds.contains(t.token())) {
        endCall(null);
        return;
      }
      call.add(t);
      turnTokens++;
      String stop = stopHit();
      if (stop != null || call.size() >= maxNew) {
        held = t.token();
        endCall(stop);
      } else {
        feed(state, new int[] {t.token()}, 1, null);
      }
    }

    /** Tokens decoded at the end of a call to look for stop strings; longer than any stop. */
    private static final int STOP_WINDOW = 32;

    private String stopHit() {
      int from = Math.max(0, call.size() - STOP_WINDOW);
      String tail = critic.tokenizer.decode(callIds(), from, call.size());
      for (String stop : stops) {
        if (tail.contains(stop)) return stop;
      }
      return null;
    }

    private int[] callIds() {
      int[] ids = new int[call.size()];
      for (int i = 0; i < ids.length; i++) ids[i] = call.get(i).token();
      return ids;
    }

    /** A generation call ended, on a stop string, the end token, or its token limit. */
    private void endCall(String stop) {
      String text = critic.tokenizer.decode(callIds());
      if (stop != null) {
        int at = text.indexOf(stop);
        if (at >= 0) text = text.substring(0, at + stop.length());
      }
      turnText.append(text);
      switch (phase) {
        case ANALYZE -> {
          analysisCall = text;
          analysisClosed = stop != null;
          analysisTokens = concat(analysisTokens, callIds());
          boolean verify = config.mode() == CriticMode.FULL;
          String next = verify ? prompts.verifyPrefix() : prompts.outputPrefix();
          int[] ids = encode(next);
          int budgetLeft = config.stepTokenBudget() - turnTokens - ids.length;
          if (budgetLeft <= 0) {
            judgeFromAnalysis();
          } else if (force(next, ids)) {
            if (verify) generate(Phase.VERIFY, prompts.verifyStops(), budgetLeft);
            else generate(Phase.JUDGE, List.of(prompts.outputStop()), budgetLeft);
          }
        }
        case VERIFY -> {
          if (prompts.outputStop().equals(stop)) {
            judged(text);
          } else {
            pendingCode = CodeBlocks.last(turnText.toString());
            phase = Phase.CODE;
            code = pendingCode == null
                ? CompletableFuture.completedFuture(prompts.noCodeOutput())
                : step.solution.runCode(pendingCode);
          }
        }
        case JUDGE -> judged(text);
        default -> throw new IllegalStateException("generation ended in phase " + phase);
      }
    }

    private String codeOutput() {
      try {
        return code.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) throw r;
        throw e;
      }
    }

    private void codeDone(String output) {
      code = null;
      rounds.add(new CodeRound(pendingCode == null ? "" : pendingCode, output));
      String insert = prompts.codeOutput(output);
      int[] ids = encode(insert);
      int budgetLeft = config.stepTokenBudget() - turnTokens - ids.length;
      if (rounds.size() < config.maxCodeRounds() && budgetLeft > 0) {
        if (force(insert, ids)) generate(Phase.VERIFY, prompts.verifyStops(), budgetLeft);
      } else {
        dropVerification();
      }
    }

    /** Out of rounds or budget during verification: judge from the analysis alone. */
    private void dropVerification() {
      release(state);
      state = track(critic.model.newSequence());
      held = null;
      turnText.setLength(0);
      turnText.append(prompts.analyzePrefix(step.step + 1)).append(analysisCall);
      turnTokens = analysisTokens.length;
      fed = false;
      feed(state, concat(step.conv, analysisTokens), 0, null);
      judgeFromAnalysis();
    }

    /** Forces the judgement right after the analysis, closing it first if it ran out of tokens. */
    private void judgeFromAnalysis() {
      fellBack = true;
      String text = (analysisClosed ? "" : prompts.analyzeStop()) + prompts.outputPrefix();
      if (force(text, encode(text))) generate(Phase.JUDGE, List.of(prompts.outputStop()), config.fallbackTokens());
    }

    private void judged(String text) {
      judgementText = text;
      reward = critic.judgement.reward(text, call);
      finish();
    }

    void finishUndecided() {
      reward = Judgement.UNDECIDED;
      finish();
    }

    private void finish() {
      phase = Phase.DONE;
      step.sampleDone(this);
    }

    SampleCritique critique() {
      String analysis = analysisCall;
      int close = analysis.indexOf(prompts.analyzeClosingTag());
      if (close >= 0) analysis = analysis.substring(0, close);
      return new SampleCritique(analysis, rounds, judgementText, reward, fellBack, turnText.toString(), turnTokens);
    }
  }
}
