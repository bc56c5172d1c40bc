package ai.coach.rollout;

import ai.coach.lm.Checkpoint;
import ai.coach.lm.Completion;
import ai.coach.lm.LanguageModel;
import ai.coach.lm.ModelRegistry;
import ai.coach.lm.Sampler;
import ai.coach.lm.SequenceState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Turns a batch of tasks into sampled solutions: the one function a local thread and a Spark
 * partition both call. Each prompt is prefilled once (all prompts of the batch in one ragged
 * forward pass) and forked into its samples, which decode together. A sample's random stream
 * depends only on the seed, its task id, its prefix length and its index, so results do not
 * depend on how tasks were split into batches.
 */
public final class Rollout {

  private Rollout() {}

  /** {@code samplesPerTask} solutions of each task, from scratch. */
  public static List<Solution> solve(List<Task> tasks, PolicySpec spec, int samplesPerTask) {
    return continueFrom(tasks, Collections.nCopies(tasks.size(), List.of()), spec, samplesPerTask, 0);
  }

  /**
   * Completions of partial solutions: task i's response starts with the steps {@code
   * prefixes.get(i)} and the policy writes the rest (Monte Carlo estimation rolls out from every
   * step this way). The returned solutions hold the whole response, prefix included. Samples are
   * numbered from {@code firstSample}, so a later call can add samples with fresh random streams.
   */
  public static List<Solution> continueFrom(
      List<Task> tasks, List<List<String>> prefixes, PolicySpec spec, int samplesPerTask, int firstSample) {
    if (samplesPerTask < 1) throw new IllegalArgumentException("samples per task must be >= 1, got " + samplesPerTask);
    if (prefixes.size() != tasks.size()) throw new IllegalArgumentException("one prefix per task is needed");
    Checkpoint ckpt = ModelRegistry.get(Path.of(spec.modelDir()), Checkpoint.dtype(spec.dtype()));
    LanguageModel model = ckpt.model();
    List<int[]> prompts = new ArrayList<>();
    List<String> heads = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      List<String> prefix = prefixes.get(i);
      String head = prefix.isEmpty() ? "" : PolicyPrompt.response(prefix) + "\n";
      String text = ckpt.chatTemplate().render(PolicyPrompt.messages(spec.systemPrompt(), tasks.get(i).problem()), true);
      prompts.add(ckpt.tokenizer().encode(text + head));
      heads.add(head);
    }
    List<SequenceState> roots = new ArrayList<>();
    List<SequenceState> samples = new ArrayList<>();
    try {
      for (int i = 0; i < tasks.size(); i++) roots.add(model.newSequence());
      model.append(roots, prompts);
      for (SequenceState root : roots) samples.addAll(model.fork(root, samplesPerTask));
      long[] seeds = new long[samples.size()];
      for (int i = 0; i < seeds.length; i++) {
        int task = i / samplesPerTask;
        long stream = spec.sampling().seed() ^ tasks.get(task).id().hashCode() ^ (prefixes.get(task).size() * 0x9E3779B97F4A7C15L);
        seeds[i] = Sampler.streamSeed(stream, firstSample + i % samplesPerTask);
      }
      List<Completion> completions = ckpt.generator().generate(samples, spec.sampling(), seeds);
      List<Solution> out = new ArrayList<>();
      for (int i = 0; i < completions.size(); i++) {
        Task t = tasks.get(i / samplesPerTask);
        Completion c = completions.get(i);
        String text = heads.get(i / samplesPerTask) + c.text();
        out.add(new Solution(t.id(), firstSample + i % samplesPerTask, text, PolicyPrompt.steps(text), c.finishReason(), null, null));
      }
      return out;
    } finally {
      roots.forEach(SequenceState::close);
      samples.forEach(SequenceState::close);
    }
  }
}
