package ai.coach.critic;

import java.io.Serializable;
import java.util.List;

/**
 * One solution to critique, step by step. Plain data: a batch of these can be shipped to any
 * worker that has the critic model loaded.
 */
public record CritiqueRequest(String id, String problem, List<String> steps) implements Serializable {

  public CritiqueRequest {
    if (id == null) throw new IllegalArgumentException("critique request without an id");
    if (problem == null) throw new IllegalArgumentException("critique request '" + id + "' has no problem");
    if (steps == null || steps.isEmpty()) throw new IllegalArgumentException("critique request '" + id + "' has no steps");
    steps = List.copyOf(steps);
  }
}
