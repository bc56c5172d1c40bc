package ai.coach.critic;

import ai.coach.lm.Checkpoint;
import ai.coach.lm.LanguageModel;
import ai.coach.tokenizer.ChatTemplate;
import ai.coach.tokenizer.Tokenizer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * A generative process reward model run with the GenPRM protocol: every step of a solution is
 * critiqued in its own user turn (analysis, Python verification run in a sandbox, boxed Yes/No
 * judgement) and rewarded with P(Yes) at the judgement, averaged over K samples.
 *
 * <p>{@link #critique} runs a whole batch of solutions as one workload on the engine; see
 * {@link CritiqueBatch} for how it is scheduled. Not for concurrent use: one batch at a time.
 */
public final class Critic implements AutoCloseable {

  final LanguageModel model;
  final Tokenizer tokenizer;
  final ChatTemplate template;
  final Set<Integer> eosIds;
  final CodeExecutor executor;
  final CriticPrompts prompts;
  final CriticConfig config;
  final Judgement judgement;
  final ExecutorService codePool;
  private CriticStats stats = CriticStats.ZERO;

  /**
   * @param executor runs verification code; required in {@link CriticMode#FULL}, unused otherwise
   */
  public Critic(
      LanguageModel model, Tokenizer tokenizer, ChatTemplate template, Set<Integer> eosIds, CodeExecutor executor,
      CriticPrompts prompts, CriticConfig config) {
    if (config.mode() == CriticMode.FULL && executor == null) {
      throw new IllegalArgumentException("critic mode 'full' runs verification code and needs a code executor");
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.template = template;
    this.eosIds = Set.copyOf(eosIds);
    this.executor = executor;
    this.prompts = prompts;
    this.config = config;
    this.judgement = new Judgement(firstToken(prompts.yesWord()), firstToken(prompts.noWord()), (ids, to) -> tokenizer.decode(ids, 0, to));
    this.codePool = config.mode() == CriticMode.FULL ? Executors.newFixedThreadPool(config.codeThreads(), daemon()) : null;
  }

  /** A critic on a loaded checkpoint with its own tokenizer, chat template and end tokens. */
  public static Critic of(Checkpoint checkpoint, CodeExecutor executor, CriticConfig config) {
    return new Critic(checkpoint.model(), checkpoint.tokenizer(), checkpoint.chatTemplate(), checkpoint.eosIds(), executor,
        CriticPrompts.genprm(), config);
  }

  private int firstToken(String word) {
    int[] ids = tokenizer.encode(word);
    if (ids.length == 0) throw new IllegalArgumentException("critic judgement word '" + word + "' encodes to no tokens");
    return ids[0];
  }

  public CriticConfig config() {
    return config;
  }

  /** Critiques every step of every request; results in request order. */
  public List<CritiqueResult> critique(List<CritiqueRequest> requests) {
    CritiqueBatch batch = new CritiqueBatch(this, requests);
    List<CritiqueResult> results = batch.run();
    stats = stats.plus(batch.stats());
    return results;
  }

  /** Totals over every batch this critic ran. */
  public CriticStats stats() {
    return stats;
  }

  private static ThreadFactory daemon() {
    return r -> {
      Thread t = new Thread(r, "critic-code");
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    if (codePool != null) codePool.shutdownNow();
  }
}
