package ai.coach.lm;

import java.util.ArrayList;
import java.util.List;

/**
 * Teacher forcing: the log-prob the model gives each token of a known continuation after a
 * prompt. Prompts are prefilled first (their logits are not materialised), then continuations
 * are fed in one more batched pass that returns logits at every position.
 */
public final class Scorer {

  private Scorer() {}

  public static List<float[]> continuationLogprobs(LanguageModel model, List<int[]> prompts, List<int[]> continuations) {
    if (prompts.size() != continuations.size()) {
      throw new IllegalArgumentException(prompts.size() + " prompts but " + continuations.size() + " continuations");
    }
    List<SequenceState> states = new ArrayList<>();
    try {
      for (int i = 0; i < prompts.size(); i++) states.add(model.newSequence());
      model.append(states, prompts);
      List<float[]> firstRows = new ArrayList<>();
      for (SequenceState s : states) firstRows.add(s.nextLogits());
      List<float[][]> rows = model.appendAll(states, continuations);
      List<float[]> out = new ArrayList<>();
      for (int i = 0; i < states.size(); i++) {
        int[] cont = continuations.get(i);
        float[] logp = new float[cont.length];
        for (int j = 0; j < cont.length; j++) {
          float[] logits = j == 0 ? firstRows.get(i) : rows.get(i)[j - 1];
          logp[j] = (float) Sampler.logSoftmax(logits, 1.0)[cont[j]];
        }
        out.add(logp);
      }
      return out;
    } finally {
      states.forEach(SequenceState::close);
    }
  }
}
