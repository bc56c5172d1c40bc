package ai.coach.train;

import ai.coach.lm.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's {@code AdamW} computes
 * it: decay shrinks the weights by {@code lr · wd} before the Adam step, and only where the
 * parameter set's decay mask is 1 (not on norms or biases). Runs over the flat parameter vector,
 * so a step is a dozen ops whatever the number of tensors.
 */
public final class AdamW implements AutoCloseable {

  private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
      .initialSize(0)
      .policyAllocation(AllocationPolicy.STRICT)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .build();

  private final ParameterSet params;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final INDArray m;
  private final INDArray v;
  private long steps;
  private final String workspaceId = "coach-adamw-" + System.identityHashCode(this);

  public AdamW(ParameterSet params, double beta1, double beta2, double eps, double weightDecay) {
    this.params = params;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.m = Nd4j.create(params.dtype(), params.size());
    this.v = Nd4j.create(params.dtype(), params.size());
  }

  /** Optimizer steps taken so far (the bias correction's t). */
  public long steps() {
    return steps;
  }

  /** One update from the accumulated gradients at learning rate {@code lr}. */
  public void step(double lr) {
    steps++;
    INDArray p = params.values();
    INDArray g = params.grads();
    double bc1 = 1 - Math.pow(beta1, steps);
    double bc2 = 1 - Math.pow(beta2, steps);
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, workspaceId)) {
      if (weightDecay != 0) p.subi(p.mul(params.decayMask()).muli(lr * weightDecay));
      m.muli(beta1).addi(g.mul(1 - beta1));
      v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
      INDArray denom = Transforms.sqrt(v, true).divi(Math.sqrt(bc2)).addi(eps);
      p.subi(m.div(denom).muli(lr / bc1));
    }
  }

  /** Moments and step count, for a checkpoint that resumes exactly. */
  public void save(Path file) throws IOException {
    new SafetensorsWriter()
        .add("exp_avg", TensorFiles.storable(m))
        .add("exp_avg_sq", TensorFiles.storable(v))
        .metadata("steps", Long.toString(steps))
        .write(file);
  }

  public void load(Path file, long steps) {
    m.assign(TensorFiles.read(file, "exp_avg", params.size()));
    v.assign(TensorFiles.read(file, "exp_avg_sq", params.size()));
    this.steps = steps;
  }

  @Override
  public void close() {
    m.close();
    v.close();
  }
}
