package ai.coach.loop;

import java.util.List;

/**
 * One line of a run's solutions.jsonl: a sampled solution, its grade and, when a critic ran, its
 * step rewards and the first step the critic rejects (-1 when none).
 */
public record RunRecord(
    String taskId,
    int sample,
    String problem,
    String gold,
    List<String> steps,
    String finalAnswer,
    boolean correct,
    String finishReason,
    List<Double> stepRewards,
    int firstRejectedStep) {}
