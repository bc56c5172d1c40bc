package ai.coach.synth;

/**
 * GenPRM data synthesis on the testbed, bound from YAML (snake_case keys; unknown keys are
 * errors). See configs/synth-genprm-tiny.yaml for the values the shipped critic was made with.
 *
 * @param runDir every stage's output goes here, and a rerun resumes from it
 * @param train the SFT config that trains the critic on this run's filtered data
 */
public record SynthConfig(
    String runDir,
    Problems problems,
    Policy policy,
    Solutions solutions,
    MonteCarlo monteCarlo,
    Labels labels,
    Critic critic,
    String train) {

  public SynthConfig {
    require(runDir != null && !runDir.isBlank(), "run_dir", "a directory");
    require(problems != null, "problems", "a problem set");
    require(policy != null, "policy", "the policy that writes solutions and rollouts");
    require(solutions != null, "solutions", "how many solutions to sample");
    require(monteCarlo != null, "monte_carlo", "rollout counts");
    require(labels != null, "labels", "the RPE threshold");
    require(critic != null, "critic", "the critic's tokenizer");
    require(train != null, "train", "an SFT config file");
  }

  /** Training problems of the testbed generator. */
  public record Problems(int n, long seed) {
    public Problems {
      require(n > 0, "problems.n", "a positive count");
    }
  }

  /** The policy and how it samples (temperature 0.7 as in the paper). */
  public record Policy(String model, String systemPrompt, double temperature, double topP, int maxNewTokens, long seed,
      int batch) {
    public Policy {
      require(model != null, "policy.model", "a checkpoint directory");
      require(temperature > 0, "policy.temperature", "> 0 (rollouts must differ)");
      require(topP > 0 && topP <= 1, "policy.top_p", "a number in (0, 1]");
      require(maxNewTokens > 0, "policy.max_new_tokens", "a positive count");
      require(batch > 0, "policy.batch", "a positive count of sequences decoded together");
    }
  }

  /**
   * @param samples solutions sampled per problem; the share that is right is MC(s_0)
   * @param maxPerSide at most this many correct and as many incorrect solutions kept per problem
   */
  public record Solutions(int samples, int maxPerSide) {
    public Solutions {
      require(samples >= 2, "solutions.samples", "at least 2 (a problem needs a right and a wrong one)");
      require(maxPerSide > 0, "solutions.max_per_side", "a positive count");
    }
  }

  /**
   * Rollouts per step prefix, chosen per solution by MC(s_1) as in the paper (128 / 64 / 32 there
   * for MC(s_1) below 0.1 / below 0.9 / otherwise): a first estimate of MC(s_1) uses {@code
   * rolloutsHigh}, then the solution's count follows from it.
   */
  public record MonteCarlo(int rolloutsLow, int rolloutsMid, int rolloutsHigh) {
    public MonteCarlo {
      require(rolloutsHigh > 0, "monte_carlo.rollouts_high", "a positive count");
      require(rolloutsMid >= rolloutsHigh, "monte_carlo.rollouts_mid", ">= rollouts_high");
      require(rolloutsLow >= rolloutsMid, "monte_carlo.rollouts_low", ">= rollouts_mid");
    }

    int forFirstStep(double mc1) {
      return mc1 < 0.1 ? rolloutsLow : mc1 < 0.9 ? rolloutsMid : rolloutsHigh;
    }
  }

  /** A step is good when its relative progress MC(s_t) / MC(s_t-1) is at least epsilon. */
  public record Labels(double epsilon) {
    public Labels {
      require(epsilon > 0 && epsilon <= 1, "labels.epsilon", "a number in (0, 1]");
    }
  }

  /**
   * @param tokenizer the critic's tokenizer directory (its chat template renders the critique)
   * @param devFraction share of the filtered problems held out as the critic's dev set
   * @param maxLength conversations longer than this are dropped: cut short they would lose their
   *     last judgement, and the critic cannot critique past its context anyway
   */
  public record Critic(String tokenizer, double devFraction, int maxLength) {
    public Critic {
      require(tokenizer != null, "critic.tokenizer", "a tokenizer directory");
      require(maxLength > 0, "critic.max_length", "a positive token count (the critic's max_position_embeddings)");
      require(devFraction >= 0 && devFraction < 1, "critic.dev_fraction", "a number in [0, 1)");
    }
  }

  private static void require(boolean ok, String key, String expected) {
    if (!ok) throw new IllegalArgumentException("key '" + key + "' must be " + expected);
  }
}
