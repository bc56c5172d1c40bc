package ai.coach.testbed;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * One ProcessBench item: a solution split into steps, and {@code label}, the 0-based index of its
 * earliest wrong step or -1 when every step is right.
 */
public record ProcessBenchItem(
    @JsonProperty("id") String id,
    @JsonProperty("generator") String generator,
    @JsonProperty("problem") String problem,
    @JsonProperty("steps") List<String> steps,
    @JsonProperty("final_answer_correct") boolean finalAnswerCorrect,
    @JsonProperty("label") int label) {

  public ProcessBenchItem {
    Objects.requireNonNull(id, "id");
    steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
    if (label < -1 || label >= steps.size()) {
      throw new IllegalArgumentException(
          "item " + id + ": label " + label + " is not -1 or a step index below " + steps.size());
    }
  }
}
