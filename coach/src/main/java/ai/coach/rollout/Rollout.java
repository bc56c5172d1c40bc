package ai.coach.rollout;

import ai.coach.lm.Checkpoint;
import ai.coach.lm.Completion;
import ai.coach.lm.LanguageModel;
import ai.coach.lm.ModelRegistry;
import ai.coach.lm.Sampler;
import ai.coach.lm.SequenceState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a batch of tasks into sampled solutions: the one function a local thread and a Spark
 * partition both call. Each task's prompt is prefilled once (all tasks of the batch in one
 * ragged forward pass) and forked into its samples, which decode together. A sample's random
 * stream depends only on the seed, its task id and its index, so results do not depend on how
 * tasks were split into batches.
 */
public final class Rollout {

  private Rollout() {}

  public static List<Solution> solve(List<Task> tasks, PolicySpec spec, int samplesPerTask) {
    if (samplesPerTask < 1) throw new IllegalArgumentException("samples per task must be >= 1, got " + samplesPerTask);
    Checkpoint ckpt = ModelRegistry.get(Path.of(spec.modelDir()), Checkpoint.dtype(spec.dtype()));
    LanguageModel model = ckpt.model();
    List<int[]> prompts = new ArrayList<>();
    for (Task t : tasks) {
      String text = ckpt.chatTemplate().render(PolicyPrompt.messages(spec.systemPrompt(), t.problem()), true);
      prompts.add(ckpt.tokenizer().encode(text));
    }
    List<SequenceState> roots = new ArrayList<>();
    List<SequenceState> samples = new ArrayList<>();
    try {
      for (int i = 0; i < tasks.size(); i++) roots.add(model.newSequence());
      model.append(roots, prompts);
      for (SequenceState root : roots) samples.addAll(model.fork(root, samplesPerTask));
      long[] seeds = new long[samples.size()];
      for (int i = 0; i < seeds.length; i++) {
        seeds[i] = Sampler.streamSeed(spec.sampling().seed() ^ tasks.get(i / samplesPerTask).id().hashCode(), i % samplesPerTask);
      }
      List<Completion> completions = ckpt.generator().generate(samples, spec.sampling(), seeds);
      List<Solution> out = new ArrayList<>();
      for (int i = 0; i < completions.size(); i++) {
        Task t = tasks.get(i / samplesPerTask);
        Completion c = completions.get(i);
        out.add(new Solution(t.id(), i % samplesPerTask, c.text(), PolicyPrompt.steps(c.text()), c.finishReason(), null, null));
      }
      return out;
    } finally {
      roots.forEach(SequenceState::close);
      samples.forEach(SequenceState::close);
    }
  }
}
