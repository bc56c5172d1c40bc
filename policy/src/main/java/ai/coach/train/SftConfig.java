package ai.coach.train;

import ai.coach.lm.ModelConfig;
import java.util.List;

/**
 * A supervised fine-tuning run, bound from YAML (see {@code configs/sft-policy-tiny.yaml}).
 * Relative paths are resolved against the working directory. Omitted optional keys take the
 * defaults documented on each field; a bad value fails with its key named.
 */
public record SftConfig(String runDir, Long seed, Model model, Data data, Train train) {

  public SftConfig {
    require(runDir != null && !runDir.isBlank(), "run_dir", "a directory path");
    require(model != null, "model", "a mapping");
    require(data != null, "data", "a mapping");
    require(train != null, "train", "a mapping");
    if (seed == null) seed = 0L;
  }

  /**
   * Where the weights come from: {@code from}, a Hugging Face checkpoint directory to fine-tune,
   * or {@code architecture}, a fresh model initialised with normal(0, {@code init_std}) weights.
   * {@code tokenizer} is a directory with tokenizer.json and tokenizer_config.json (default:
   * {@code from}); without one, only pre-tokenized data can be read. {@code max_position_embeddings}
   * with {@code from} raises the loaded model's context limit (a critic fine-tuned from the policy
   * reads longer conversations than the policy was trained on); RoPE has no learned position table,
   * so only the limit written to config.json changes.
   */
  public record Model(String from, Architecture architecture, String tokenizer, Double initStd,
      Integer maxPositionEmbeddings) {
    public Model {
      require(from == null ^ architecture == null, "model", "exactly one of 'from' or 'architecture'");
      require(maxPositionEmbeddings == null || (from != null && maxPositionEmbeddings > 0), "model.max_position_embeddings",
          "a positive count, and only with 'from' (set it in 'architecture' otherwise)");
      if (tokenizer == null) tokenizer = from;
      if (initStd == null) initStd = 0.02;
      require(initStd > 0, "model.init_std", "a positive number");
    }
  }

  /** Qwen2 hyper-parameters with Hugging Face's config.json names. */
  public record Architecture(
      Integer hiddenSize, Integer intermediateSize, Integer numHiddenLayers, Integer numAttentionHeads,
      Integer numKeyValueHeads, Integer vocabSize, Integer maxPositionEmbeddings, Double ropeTheta, Double rmsNormEps,
      Boolean tieWordEmbeddings) {
    public Architecture {
      positive(hiddenSize, "model.architecture.hidden_size");
      positive(intermediateSize, "model.architecture.intermediate_size");
      positive(numHiddenLayers, "model.architecture.num_hidden_layers");
      positive(numAttentionHeads, "model.architecture.num_attention_heads");
      positive(vocabSize, "model.architecture.vocab_size");
      if (numKeyValueHeads == null) numKeyValueHeads = numAttentionHeads;
      positive(numKeyValueHeads, "model.architecture.num_key_value_heads");
      require(numAttentionHeads % numKeyValueHeads == 0, "model.architecture.num_key_value_heads",
          "a divisor of num_attention_heads (" + numAttentionHeads + ")");
      require(hiddenSize % numAttentionHeads == 0 && (hiddenSize / numAttentionHeads) % 2 == 0,
          "model.architecture.num_attention_heads", "a divisor of hidden_size giving an even head size");
      if (maxPositionEmbeddings == null) maxPositionEmbeddings = 2048;
      positive(maxPositionEmbeddings, "model.architecture.max_position_embeddings");
      if (ropeTheta == null) ropeTheta = 10000.0;
      if (rmsNormEps == null) rmsNormEps = 1e-6;
      if (tieWordEmbeddings == null) tieWordEmbeddings = true;
    }

    public ModelConfig toModelConfig(List<Integer> eosIds) {
      return new ModelConfig("Qwen2ForCausalLM", hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
          numKeyValueHeads, hiddenSize / numAttentionHeads, ropeTheta, rmsNormEps, vocabSize, tieWordEmbeddings,
          maxPositionEmbeddings, "float32", true, eosIds);
    }
  }

  /**
   * JSONL files of examples (see {@link SftData} for the accepted line formats); {@code dev} is
   * optional. Examples longer than {@code max_length} tokens are truncated.
   */
  public record Data(String train, String dev, Integer maxLength, String systemPrompt) {
    public Data {
      require(train != null, "data.train", "a JSONL file path");
      if (maxLength == null) maxLength = 512;
      positive(maxLength, "data.max_length");
    }
  }

  /**
   * Optimisation. {@code batch_size} sequences per micro-batch, {@code grad_accum} micro-batches
   * per optimizer step; {@code max_steps} optimizer steps; every {@code eval_every} steps the loss
   * on up to {@code dev_batches} dev batches and, when {@code eval_samples} > 0, the greedy accuracy
   * on that many dev problems that carry an {@code answer} (the last {@code \boxed{}} of the
   * generation compared as a string); every {@code save_every} steps a resumable checkpoint.
   */
  public record Train(
      Integer batchSize, Integer gradAccum, Integer maxSteps, Double lr, Double minLrRatio, Integer warmupSteps,
      Double weightDecay, Double beta1, Double beta2, Double eps, Double gradClip, Integer logEvery, Integer evalEvery,
      Integer devBatches, Integer evalSamples, Integer evalMaxNewTokens, Integer saveEvery, Integer keepCheckpoints) {
    public Train {
      positive(batchSize, "train.batch_size");
      positive(maxSteps, "train.max_steps");
      require(lr != null && lr > 0, "train.lr", "a positive number");
      if (gradAccum == null) gradAccum = 1;
      positive(gradAccum, "train.grad_accum");
      if (minLrRatio == null) minLrRatio = 0.1;
      require(minLrRatio >= 0 && minLrRatio <= 1, "train.min_lr_ratio", "a number in [0, 1]");
      if (warmupSteps == null) warmupSteps = 0;
      require(warmupSteps >= 0, "train.warmup_steps", "an integer >= 0");
      if (weightDecay == null) weightDecay = 0.0;
      require(weightDecay >= 0, "train.weight_decay", "a number >= 0");
      if (beta1 == null) beta1 = 0.9;
      if (beta2 == null) beta2 = 0.999;
      require(beta1 >= 0 && beta1 < 1, "train.beta1", "a number in [0, 1)");
      require(beta2 >= 0 && beta2 < 1, "train.beta2", "a number in [0, 1)");
      if (eps == null) eps = 1e-8;
      require(eps > 0, "train.eps", "a positive number");
      if (gradClip == null) gradClip = 1.0;
      require(gradClip >= 0, "train.grad_clip", "a number >= 0 (0 = no clipping)");
      if (logEvery == null) logEvery = 10;
      positive(logEvery, "train.log_every");
      if (evalEvery == null) evalEvery = 0;
      require(evalEvery >= 0, "train.eval_every", "an integer >= 0 (0 = only at the end)");
      if (devBatches == null) devBatches = 20;
      positive(devBatches, "train.dev_batches");
      if (evalSamples == null) evalSamples = 0;
      require(evalSamples >= 0, "train.eval_samples", "an integer >= 0 (0 = no accuracy evaluation)");
      if (evalMaxNewTokens == null) evalMaxNewTokens = 256;
      positive(evalMaxNewTokens, "train.eval_max_new_tokens");
      if (saveEvery == null) saveEvery = 0;
      require(saveEvery >= 0, "train.save_every", "an integer >= 0 (0 = only at the end)");
      if (keepCheckpoints == null) keepCheckpoints = 2;
      positive(keepCheckpoints, "train.keep_checkpoints");
    }
  }

  private static void positive(Integer v, String key) {
    require(v != null && v > 0, key, "a positive integer");
  }

  private static void require(boolean ok, String key, String expected) {
    if (!ok) throw new IllegalArgumentException("key '" + key + "' must be " + expected);
  }
}
