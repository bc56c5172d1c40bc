package ai.coach.lm;

import ai.coach.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Continues a batch of sequences token by token. Each step samples one token per unfinished
 * sequence and feeds all of them back in one batched forward pass; a sequence leaves the batch
 * when it emits an end-of-sequence token, produces a stop string, or reaches its token budget.
 * The states keep everything generated, so a caller can append forced text and go on.
 */
public final class Generator {

  /** Tokens decoded at the end of a sequence to look for stop strings. */
  private static final int STOP_WINDOW = 48;

  private final LanguageModel model;
  private final Tokenizer tokenizer;
  private final Set<Integer> eosIds;

  /** {@code tokenizer} may be null when no stop strings are used and no text is wanted. */
  public Generator(LanguageModel model, Tokenizer tokenizer, Set<Integer> eosIds) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.eosIds = Set.copyOf(eosIds);
  }

  /** Generates from every state; state i samples with stream {@code Sampler.streamSeed(seed, i)}. */
  public List<Completion> generate(List<? extends SequenceState> states, SamplingParams params) {
    long[] seeds = new long[states.size()];
    for (int i = 0; i < seeds.length; i++) seeds[i] = Sampler.streamSeed(params.seed(), i);
    return generate(states, params, seeds);
  }

  /** Generates from every state, state i drawing from the random stream {@code seeds[i]}. */
  public List<Completion> generate(List<? extends SequenceState> states, SamplingParams params, long[] seeds) {
    if (!params.stop().isEmpty() && tokenizer == null) {
      throw new IllegalArgumentException("stop strings need a tokenizer");
    }
    int n = states.size();
    Sampler[] samplers = new Sampler[n];
    List<List<Integer>> generated = new ArrayList<>();
    List<List<TokenLogprob>> logprobs = new ArrayList<>();
    String[] finish = new String[n];
    String[] stopHit = new String[n];
    for (int i = 0; i < n; i++) {
      if (states.get(i).nextLogits() == null) {
        throw new IllegalArgumentException("sequence " + i + " is empty; append a prompt first");
      }
      samplers[i] = new Sampler(params, seeds[i]);
      generated.add(new ArrayList<>());
      logprobs.add(new ArrayList<>());
    }
    List<Integer> active = new ArrayList<>();
    for (int i = 0; i < n; i++) active.add(i);
    while (!active.isEmpty()) {
      List<SequenceState> feed = new ArrayList<>();
      List<int[]> tokens = new ArrayList<>();
      List<Integer> stillActive = new ArrayList<>();
      for (int i : active) {
        SequenceState s = states.get(i);
        TokenLogprob choice = samplers[i].next(s.nextLogits());
        generated.get(i).add(choice.token());
        logprobs.get(i).add(choice);
        boolean room = s.length() + 1 < model.maxPositions();
        if (eosIds.contains(choice.token())) {
          finish[i] = "stop";
        } else if ((stopHit[i] = stopString(generated.get(i), params.stop())) != null) {
          finish[i] = "stop";
        } else if (generated.get(i).size() >= params.maxNewTokens() || !room) {
          finish[i] = "length";
        } else {
          stillActive.add(i);
        }
        if (room) {
          feed.add(s);
          tokens.add(new int[] {choice.token()});
        }
      }
      if (!feed.isEmpty()) model.append(feed, tokens);
      active = stillActive;
    }
    List<Completion> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int[] ids = generated.get(i).stream().mapToInt(Integer::intValue).toArray();
      boolean endToken = ids.length > 0 && eosIds.contains(ids[ids.length - 1]);
      String text = text(ids, endToken ? ids.length - 1 : ids.length, stopHit[i]);
      out.add(new Completion(text, ids, List.copyOf(logprobs.get(i)), finish[i], stopHit[i]));
    }
    return out;
  }

  private String stopString(List<Integer> ids, List<String> stops) {
    if (stops.isEmpty()) return null;
    int[] tail = ids.subList(Math.max(0, ids.size() - STOP_WINDOW), ids.size()).stream().mapToInt(Integer::intValue).toArray();
    String text = tokenizer.decode(tail);
    for (String stop : stops) {
      if (text.contains(stop)) return stop;
    }
    return null;
  }

  private String text(int[] ids, int length, String stop) {
    if (tokenizer == null) return "";
    String text = tokenizer.decode(ids, 0, length);
    if (stop != null) {
      int at = text.indexOf(stop);
      if (at >= 0) text = text.substring(0, at);
    }
    return text;
  }

  /** Convenience for a single prompt: prefill once, fork {@code n} ways, generate. */
  public List<Completion> sample(int[] prompt, int n, SamplingParams params) {
    try (SequenceState root = model.newSequence()) {
      model.append(List.of(root), List.of(prompt));
      List<SequenceState> forks = model.fork(root, n);
      try {
        return generate(forks, params);
      } finally {
        forks.forEach(SequenceState::close);
      }
    }
  }

  /** The prompt ids of several prompts prefilled as one ragged batch, then generated. */
  public List<Completion> generateAll(List<int[]> prompts, SamplingParams params) {
    List<SequenceState> states = new ArrayList<>();
    try {
      for (int i = 0; i < prompts.size(); i++) states.add(model.newSequence());
      model.append(states, prompts);
      return generate(states, params);
    } finally {
      states.forEach(SequenceState::close);
    }
  }
}
