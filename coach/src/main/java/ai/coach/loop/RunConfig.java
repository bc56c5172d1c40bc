package ai.coach.loop;

import ai.coach.critic.CriticMode;

/**
 * One run of the main job, bound from YAML (snake_case keys; unknown keys are errors).
 *
 * @param out directory for solutions.jsonl and report.json; a rerun resumes there
 * @param critic null to skip critique
 */
public record RunConfig(String out, TaskSet task, Policy policy, Critic critic) {

  public RunConfig {
    require(out != null && !out.isBlank(), "out", "a directory");
    require(task != null, "task", "a task set");
    require(policy != null, "policy", "a policy");
  }

  /** Problems from the testbed generator. */
  public record TaskSet(String name, String split, int n, long seed) {
    public TaskSet {
      require("arithmetic".equals(name), "task.name", "'arithmetic' (the only task so far)");
      require(split != null && split.matches("train|dev|test"), "task.split", "train, dev or test");
      require(n > 0, "task.n", "a positive count");
    }
  }

  /** The policy checkpoint and how to sample it. */
  public record Policy(
      String model, String systemPrompt, int samples, double temperature, double topP, int maxNewTokens, long seed, int batch) {
    public Policy {
      require(model != null, "policy.model", "a checkpoint directory");
      require(samples > 0, "policy.samples", "a positive count");
      require(temperature >= 0, "policy.temperature", ">= 0");
      require(topP > 0 && topP <= 1, "policy.top_p", "a number in (0, 1]");
      require(maxNewTokens > 0, "policy.max_new_tokens", "a positive count");
      require(batch > 0, "policy.batch", "a positive count");
    }
  }

  /**
   * A GenPRM checkpoint scoring every step of every solution with {@code samples} critiques each,
   * sampled at {@code temperature} (0 = greedy).
   */
  public record Critic(String model, CriticMode mode, int samples, double temperature, double threshold, long seed) {
    public Critic {
      require(model != null, "critic.model", "a checkpoint directory");
      require(mode != null, "critic.mode", "full, analyze or direct");
      require(samples > 0, "critic.samples", "a positive count");
      require(temperature >= 0, "critic.temperature", ">= 0");
      require(threshold > 0 && threshold < 1, "critic.threshold", "a number in (0, 1)");
    }
  }

  private static void require(boolean ok, String key, String expected) {
    if (!ok) throw new IllegalArgumentException("key '" + key + "' must be " + expected);
  }
}
