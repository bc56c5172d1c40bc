package ai.coach.loop;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The numbers a run reports: answer accuracy, and what picking among the N samples buys. */
final class Report {

  /**
   * A lead in PRM score smaller than this is a tie, won by the earlier sample. The critic batches
   * whatever is ready, so which steps share a forward pass follows the sandbox's timing, and sums
   * over other shapes round differently: two runs of configs/default-critic.yaml wrote the same
   * tokens but step rewards up to 2.5e-7 apart. Accepted solutions often score within that of each
   * other (or exactly alike, when their weakest step is a shared prefix), so without the tolerance
   * the runs picked different solutions for 85 of 200 problems; with it, none.
   */
  static final double SCORE_TIE = 1e-6;

  private Report() {}

  static Map<String, Object> summarise(Map<String, List<RunRecord>> byTask, RunConfig config) {
    int problems = byTask.size();
    int solutions = 0;
    int correct = 0;
    int passAtK = 0;
    int majority = 0;
    int prmBest = 0;
    boolean critiqued = false;
    for (List<RunRecord> records : byTask.values()) {
      solutions += records.size();
      correct += (int) records.stream().filter(RunRecord::correct).count();
      if (records.stream().anyMatch(RunRecord::correct)) passAtK++;
      if (majorityCorrect(records)) majority++;
      RunRecord best = null;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (RunRecord r : records) {
        if (r.stepRewards() == null) continue;
        critiqued = true;
        double score = r.stepRewards().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        if (score > bestScore + SCORE_TIE) {
          bestScore = score;
          best = r;
        }
      }
      if (best != null && best.correct()) prmBest++;
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("problems", problems);
    report.put("samples_per_problem", config.policy().samples());
    report.put("solutions", solutions);
    report.put("accuracy", ratio(correct, solutions));
    report.put("pass_at_k", ratio(passAtK, problems));
    report.put("majority_vote_accuracy", ratio(majority, problems));
    if (critiqued) report.put("prm_best_of_n_accuracy", ratio(prmBest, problems));
    report.put("policy", config.policy().model());
    report.put("critic", config.critic() == null ? null : config.critic().model());
    return report;
  }

  /** Whether the most frequent final answer (ties: the first seen) is a correct one. */
  private static boolean majorityCorrect(List<RunRecord> records) {
    Map<String, Integer> votes = new HashMap<>();
    Map<String, Boolean> isCorrect = new HashMap<>();
    String top = null;
    for (RunRecord r : records) {
      if (r.finalAnswer() == null) continue;
      int v = votes.merge(r.finalAnswer(), 1, Integer::sum);
      isCorrect.putIfAbsent(r.finalAnswer(), r.correct());
      if (top == null || v > votes.get(top)) top = r.finalAnswer();
    }
    return top != null && isCorrect.get(top);
  }

  private static double ratio(int a, int b) {
    return b == 0 ? 0 : (double) a / b;
  }
}
