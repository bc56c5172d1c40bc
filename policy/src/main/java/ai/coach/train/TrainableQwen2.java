package ai.coach.train;

import ai.coach.lm.CheckpointException;
import ai.coach.lm.ModelConfig;
import ai.coach.lm.Qwen2Model;
import ai.coach.lm.Rope;
import ai.coach.lm.SafetensorsWriter;
import ai.coach.lm.TensorStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The Qwen2 decoder as a trainable model: the same computation as {@link ai.coach.lm.Qwen2Model}
 * with every layer's backward pass written out by hand, so a training step is a fixed sequence of
 * BLAS GEMMs and a few elementwise ops per layer, with no graph to build or interpret.
 *
 * <p>A batch is a rectangle of {@code rows × length} tokens. All projections run as one GEMM over
 * the {@code rows · length} stacked positions (q/k/v fused into one, gate/up into one), and
 * attention runs as batched matmuls over (sequence, KV head) pairs, the query heads of a GQA
 * group stacked along the rows. Activations needed by the backward pass live in a per-model ND4J
 * workspace that is reused from step to step.
 *
 * <p>Parameters live in one {@link ParameterSet} under the Hugging Face tensor names, so
 * {@link #save} writes a checkpoint the engine and transformers load unchanged. The dtype is FLOAT
 * for training; DOUBLE exists so tests can compare against finite differences. Not thread-safe:
 * the BLAS calls already use every core.
 */
public final class TrainableQwen2 implements AutoCloseable {

  private static final WorkspaceConfiguration WORKSPACE = Qwen2Model.ACTIVATIONS_WORKSPACE;

  private static final MMulTranspose TRANSPOSE_A = MMulTranspose.builder().transposeA(true).build();
  private static final MMulTranspose NO_TRANSPOSE = MMulTranspose.builder().build();

  private final ModelConfig config;
  private final DataType dtype;
  private final ParameterSet params;
  private final Layer[] layers;
  private final INDArray embed;
  private final INDArray embedGrad;
  private final INDArray head;
  private final INDArray headGrad;
  private final INDArray finalNorm;
  private final INDArray finalNormGrad;
  private final float[] invFreq;
  private final String workspaceId = "coach-train-" + System.identityHashCode(this);
  private int attentionChunk = 64;
  // The last forward's final residual stream, its 1/rms, RoPE tables and attention masks (shared
  // by all layers). They live in the workspace of the call that made them, which is why one model
  // serves one thread.
  private INDArray lastResidual;
  private INDArray lastInv;
  private INDArray[] rope;
  private INDArray[] masks;

  /** Views of one layer's fused weights and of their gradients. */
  private record Layer(
      INDArray inNorm, INDArray gInNorm, INDArray wQkv, INDArray gQkv, INDArray bQkv, INDArray gbQkv,
      INDArray wO, INDArray gO, INDArray postNorm, INDArray gPostNorm, INDArray wGateUp, INDArray gGateUp,
      INDArray wDown, INDArray gDown) {}

  /** What one layer's forward keeps for its backward. */
  private static final class Saved {
    INDArray x;
    INDArray inv1;
    INDArray h1;
    INDArray qs;
    INDArray ks;
    INDArray vs;
    INDArray[] probs;
    INDArray attnOut;
    INDArray x2;
    INDArray inv2;
    INDArray h2;
    INDArray up;
    INDArray sig;
    INDArray silu;
    INDArray act;
  }

  private TrainableQwen2(ModelConfig config, DataType dtype) {
    if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
      throw new IllegalArgumentException("training dtype must be FLOAT or DOUBLE, got " + dtype);
    }
    this.config = config;
    this.dtype = dtype;
    this.params = new ParameterSet(layout(config), dtype);
    int h = config.hiddenSize();
    INDArray v = params.values();
    INDArray g = params.grads();
    this.embed = params.value("model.embed_tokens.weight");
    this.embedGrad = params.grad("model.embed_tokens.weight");
    this.head = config.tieWordEmbeddings() ? embed : params.value("lm_head.weight");
    this.headGrad = config.tieWordEmbeddings() ? embedGrad : params.grad("lm_head.weight");
    this.finalNorm = params.fused(v, "model.norm.weight", 1, h);
    this.finalNormGrad = params.fused(g, "model.norm.weight", 1, h);
    this.layers = new Layer[config.numLayers()];
    int qkv = config.qDim() + 2 * config.kvDim();
    int inter = config.intermediateSize();
    for (int i = 0; i < layers.length; i++) {
      String p = "model.layers." + i + ".";
      String bias = p + "self_attn.q_proj.bias";
      layers[i] = new Layer(
          params.fused(v, p + "input_layernorm.weight", 1, h), params.fused(g, p + "input_layernorm.weight", 1, h),
          params.fused(v, p + "self_attn.q_proj.weight", qkv, h), params.fused(g, p + "self_attn.q_proj.weight", qkv, h),
          config.qkvBias() ? params.fused(v, bias, 1, qkv) : null, config.qkvBias() ? params.fused(g, bias, 1, qkv) : null,
          params.value(p + "self_attn.o_proj.weight"), params.grad(p + "self_attn.o_proj.weight"),
          params.fused(v, p + "post_attention_layernorm.weight", 1, h),
          params.fused(g, p + "post_attention_layernorm.weight", 1, h),
          params.fused(v, p + "mlp.gate_proj.weight", 2L * inter, h), params.fused(g, p + "mlp.gate_proj.weight", 2L * inter, h),
          params.value(p + "mlp.down_proj.weight"), params.grad(p + "mlp.down_proj.weight"));
    }
    this.invFreq = Rope.inverseFrequencies(config.headDim(), config.ropeTheta());
  }

  /**
   * Tensor order in the flat buffer. The parts of each fused projection are adjacent (q, k, v
   * weights; q, k, v biases; gate, up), which is what makes the fused views possible.
   */
  private static ParameterSet.Layout layout(ModelConfig c) {
    int h = c.hiddenSize();
    ParameterSet.Layout l = new ParameterSet.Layout();
    l.add("model.embed_tokens.weight", true, c.vocabSize(), h);
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "model.layers." + i + ".";
      l.add(p + "input_layernorm.weight", false, h);
      l.add(p + "self_attn.q_proj.weight", true, c.qDim(), h);
      l.add(p + "self_attn.k_proj.weight", true, c.kvDim(), h);
      l.add(p + "self_attn.v_proj.weight", true, c.kvDim(), h);
      if (c.qkvBias()) {
        l.add(p + "self_attn.q_proj.bias", false, c.qDim());
        l.add(p + "self_attn.k_proj.bias", false, c.kvDim());
        l.add(p + "self_attn.v_proj.bias", false, c.kvDim());
      }
      l.add(p + "self_attn.o_proj.weight", true, h, c.qDim());
      l.add(p + "post_attention_layernorm.weight", false, h);
      l.add(p + "mlp.gate_proj.weight", true, c.intermediateSize(), h);
      l.add(p + "mlp.up_proj.weight", true, c.intermediateSize(), h);
      l.add(p + "mlp.down_proj.weight", true, h, c.intermediateSize());
    }
    l.add("model.norm.weight", false, h);
    if (!c.tieWordEmbeddings()) l.add("lm_head.weight", true, c.vocabSize(), h);
    return l;
  }

  /** Loads a Hugging Face checkpoint directory (the engine's layout) for training. */
  public static TrainableQwen2 load(Path dir, DataType dtype) {
    return load(dir, dtype, null);
  }

  /** {@link #load(Path, DataType)} with the context limit raised to {@code maxPositions} (null: as stored). */
  public static TrainableQwen2 load(Path dir, DataType dtype, Integer maxPositions) {
    ModelConfig read = ModelConfig.read(dir);
    ModelConfig c = maxPositions == null ? read : read.withMaxPositions(maxPositions);
    TrainableQwen2 m = new TrainableQwen2(c, dtype);
    try (TensorStore store = TensorStore.open(dir)) {
      for (ParameterSet.Entry e : m.params.entries().values()) {
        INDArray loaded = store.load(e.name(), dtype, e.shape());
        m.params.value(e.name()).assign(loaded);
        loaded.close();
      }
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
    return m;
  }

  /**
   * A freshly initialised model: linear and embedding weights normal(0, std), biases zero, norm
   * weights one, drawn from {@code seed} in a fixed order so a seed always gives the same model.
   */
  public static TrainableQwen2 initialize(ModelConfig c, DataType dtype, long seed, double std) {
    TrainableQwen2 m = new TrainableQwen2(c, dtype);
    Random rng = new Random(seed);
    for (ParameterSet.Entry e : m.params.entries().values()) {
      INDArray view = m.params.value(e.name());
      if (e.name().endsWith("norm.weight")) {
        view.assign(1.0);
      } else if (e.name().endsWith(".bias")) {
        view.assign(0.0);
      } else {
        double[] values = new double[(int) e.numel()];
        for (int i = 0; i < values.length; i++) values[i] = rng.nextGaussian() * std;
        view.assign(Nd4j.create(values, e.shape(), DataType.DOUBLE).castTo(dtype));
      }
    }
    return m;
  }

  public ModelConfig config() {
    return config;
  }

  /**
   * Query positions per attention chunk (default 64). Shorter chunks skip more of the masked
   * scores but run more, smaller matmuls; results are the same for any value.
   */
  public void setAttentionChunk(int positions) {
    if (positions < 1) throw new IllegalArgumentException("attention chunk must be >= 1, got " + positions);
    this.attentionChunk = positions;
  }

  public DataType dtype() {
    return dtype;
  }

  public ParameterSet params() {
    return params;
  }

  /**
   * Writes {@code config.json} and {@code model.safetensors} (F32) into {@code dir} under the
   * Hugging Face names; the engine's {@code Qwen2Model.load} and transformers read the result.
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    writeConfig(config, dir.resolve("config.json"));
    SafetensorsWriter w = new SafetensorsWriter();
    for (ParameterSet.Entry e : params.entries().values()) {
      INDArray v = params.value(e.name());
      w.add(e.name(), dtype == DataType.FLOAT ? v : v.castTo(DataType.FLOAT));
    }
    w.metadata("format", "pt").write(dir.resolve("model.safetensors"));
  }

  /** The Hugging Face {@code config.json} of a Qwen2 model with this architecture. */
  public static void writeConfig(ModelConfig c, Path file) throws IOException {
    if (!c.architecture().equals("Qwen2ForCausalLM")) {
      throw new IllegalArgumentException("only Qwen2ForCausalLM configs are written, got " + c.architecture());
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", List.of("Qwen2ForCausalLM"));
    m.put("model_type", "qwen2");
    m.put("hidden_act", "silu");
    m.put("hidden_size", c.hiddenSize());
    m.put("intermediate_size", c.intermediateSize());
    m.put("num_hidden_layers", c.numLayers());
    m.put("num_attention_heads", c.numHeads());
    m.put("num_key_value_heads", c.numKvHeads());
    if (c.headDim() * c.numHeads() != c.hiddenSize()) m.put("head_dim", c.headDim());
    m.put("max_position_embeddings", c.maxPositions());
    m.put("rope_theta", c.ropeTheta());
    m.put("rope_scaling", null);
    m.put("rms_norm_eps", c.rmsNormEps());
    m.put("vocab_size", c.vocabSize());
    m.put("tie_word_embeddings", c.tieWordEmbeddings());
    m.put("use_sliding_window", false);
    m.put("sliding_window", null);
    m.put("attention_dropout", 0.0);
    m.put("torch_dtype", "float32");
    if (!c.eosTokenIds().isEmpty()) {
      m.put("eos_token_id", c.eosTokenIds().size() == 1 ? c.eosTokenIds().get(0) : c.eosTokenIds());
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), m);
  }

  /** Logits at every position of the batch, [rows · length, vocab] (for tests and inspection). */
  public double[][] logits(int rows, int length, int[] ids) {
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, workspaceId)) {
      INDArray hidden = forwardHidden(rows, length, ids, null);
      return Nd4j.gemm(hidden, head, false, true).castTo(DataType.DOUBLE).toDoubleMatrix();
    }
  }

  /** log π(target) at the batch's scored positions, without gradients (dev loss, reference model). */
  public double[] targetLogProbs(TokenBatch batch) {
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, workspaceId)) {
      int[] scored = batch.scored();
      double[] lp = new double[scored.length];
      if (scored.length == 0) return lp;
      INDArray hidden = forwardHidden(batch.rows(), batch.length(), batch.inputIds(), null);
      logSoftmaxAtTargets(Nd4j.pullRows(hidden, 1, scored), scored, batch.targets(), lp);
      return lp;
    }
  }

  /**
   * One forward and backward pass: computes the loss on the batch and adds
   * {@code gradScale · d loss / d θ} to the parameter gradients (which the caller zeroes once per
   * optimizer step, so micro-batches accumulate).
   */
  public LossValue forwardBackward(TokenBatch batch, TokenLoss loss, double gradScale) {
    int rows = batch.rows();
    int length = batch.length();
    int n = rows * length;
    int h = config.hiddenSize();
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, workspaceId)) {
      Saved[] saved = new Saved[layers.length];
      INDArray xFinal = forwardHidden(rows, length, batch.inputIds(), saved);
      INDArray xLast = lastResidual;
      INDArray invLast = lastInv;
      int[] scored = batch.scored();
      double[] lp = new double[scored.length];
      if (scored.length == 0) return loss.evaluate(lp, batch);
      INDArray hSel = Nd4j.pullRows(xFinal, 1, scored);
      INDArray probs = logSoftmaxAtTargets(hSel, scored, batch.targets(), lp);
      LossValue value = loss.evaluate(lp, batch);
      double[] g = value.gradLogProbs();

      // Scaled by gradScale up front: every gradient below is linear in it.
      double[] coef = new double[scored.length];
      int[] targets = new int[scored.length];
      for (int j = 0; j < scored.length; j++) {
        coef[j] = g[j] * gradScale;
        targets[j] = batch.targets()[scored[j]];
      }
      Kernels.logitGrad(probs, targets, coef);
      INDArray dLogits = probs;
      Nd4j.gemm(dLogits, hSel, headGrad, true, false, 1.0, 1.0);
      INDArray dFinal = Nd4j.create(dtype, n, h);
      Kernels.addRows(Nd4j.gemm(dLogits, head, false, false), scored, dFinal);
      INDArray dx = rmsNormBackward(dFinal, xLast, invLast, finalNorm, finalNormGrad);

      for (int l = layers.length - 1; l >= 0; l--) {
        Layer layer = layers[l];
        Saved s = saved[l];
        dx.addi(rmsNormBackward(mlpBackward(layer, s, dx), s.x2, s.inv2, layer.postNorm(), layer.gPostNorm()));
        dx.addi(rmsNormBackward(attentionBackward(layer, s, dx, rows, length), s.x, s.inv1, layer.inNorm(), layer.gInNorm()));
      }
      Kernels.addRows(dx, batch.inputIds(), embedGrad);
      return value;
    }
  }

  /** Embedding, all layers, final norm: the [n, hidden] input of the LM head. */
  private INDArray forwardHidden(int rows, int length, int[] ids, Saved[] saved) {
    if (length > config.maxPositions()) {
      throw new IllegalArgumentException("sequence length " + length + " is over max_position_embeddings " + config.maxPositions());
    }
    for (int id : ids) {
      if (id < 0 || id >= config.vocabSize()) {
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
      }
    }
    rope = ropeTables(rows, length);
    int[] starts = chunkStarts(length);
    masks = new INDArray[starts.length - 1];
    for (int c = 0; c < masks.length; c++) masks[c] = causalMask(starts[c], starts[c + 1], config.numHeads() / config.numKvHeads());
    INDArray x = Nd4j.pullRows(embed, 1, ids);
    for (int l = 0; l < layers.length; l++) {
      Layer layer = layers[l];
      Saved s = new Saved();
      s.x = x;
      s.inv1 = invRms(x);
      s.h1 = x.mulColumnVector(s.inv1).muliRowVector(layer.inNorm());
      INDArray x2 = x.add(attention(layer, s, rows, length, rope[0], rope[1]));
      s.x2 = x2;
      s.inv2 = invRms(x2);
      s.h2 = x2.mulColumnVector(s.inv2).muliRowVector(layer.postNorm());
      x = x2.add(mlp(layer, s));
      if (saved != null) saved[l] = s;
    }
    lastResidual = x;
    lastInv = invRms(x);
    return x.mulColumnVector(lastInv).muliRowVector(finalNorm);
  }

  private INDArray invRms(INDArray x) {
    INDArray ms = rowMeans(x.mul(x)).addi(config.rmsNormEps());
    return Transforms.sqrt(ms, false).rdivi(1.0);
  }

  /** [rows, 1] means of each row, as a GEMM: ND4J's row reductions are slow under load. */
  private INDArray rowMeans(INDArray m) {
    return Nd4j.gemm(m, Nd4j.valueArrayOf(new long[] {m.columns(), 1}, 1.0 / m.columns(), dtype), false, false);
  }

  /** y = x · inv · w: adds d loss / d w to {@code gw} and returns d loss / d x. */
  private INDArray rmsNormBackward(INDArray dy, INDArray x, INDArray inv, INDArray w, INDArray gw) {
    INDArray dx = dy.ulike();
    Kernels.rmsNormBackward(dy, x, inv, w, gw, dx);
    return dx;
  }

  /** cos and sin per stacked position, [n, 1, headDim / 2], to broadcast over heads. */
  private INDArray[] ropeTables(int rows, int length) {
    int half = invFreq.length;
    double[] cos = new double[rows * length * half];
    double[] sin = new double[cos.length];
    for (int t = 0; t < length; t++) {
      for (int i = 0; i < half; i++) {
        float angle = (float) t * invFreq[i];
        double c = (float) Math.cos(angle);
        double s = (float) Math.sin(angle);
        for (int r = 0; r < rows; r++) {
          cos[(r * length + t) * half + i] = c;
          sin[(r * length + t) * half + i] = s;
        }
      }
    }
    long[] shape = {(long) rows * length, 1, half};
    return new INDArray[] {Nd4j.create(cos, shape, dtype), Nd4j.create(sin, shape, dtype)};
  }

  /** Rotates x [n, heads, headDim] in place; {@code inverse} undoes it (the backward of RoPE). */
  private static void rotate(INDArray x, INDArray cos, INDArray sin, boolean inverse) {
    Kernels.rope(x, cos, sin, inverse);
  }

  /**
   * Additive mask [1, (to − from) · group, to] for the queries at positions [from, to) (rows in
   * (position, head-in-group) order) against keys [0, to): a query sees keys up to its position.
   */
  private INDArray causalMask(int from, int to, int group) {
    int c = to - from;
    double[] m = new double[c * group * to];
    for (int t = 0; t < c; t++) {
      for (int g = 0; g < group; g++) {
        int row = (t * group + g) * to;
        for (int k = from + t + 1; k < to; k++) m[row + k] = Double.NEGATIVE_INFINITY;
      }
    }
    return Nd4j.create(m, new long[] {1, (long) c * group, to}, dtype);
  }

  /** Query positions [chunk i · len, ...) per attention chunk; see {@link #setAttentionChunk}. */
  private int[] chunkStarts(int length) {
    int chunks = (length + attentionChunk - 1) / attentionChunk;
    int[] starts = new int[chunks + 1];
    for (int i = 0; i < chunks; i++) starts[i] = i * attentionChunk;
    starts[chunks] = length;
    return starts;
  }

  /** The rows of positions [from, to) of a [bk, length · group, d] array: a view, read and written in place. */
  private static INDArray queryRows(INDArray a, int from, int to, int group) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.interval((long) from * group, (long) to * group), NDArrayIndex.all());
  }

  /** Positions [0, to) of a [bk, length, d] array, as a view. */
  private static INDArray keyRows(INDArray a, int to) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, to), NDArrayIndex.all());
  }

  /**
   * Causal attention. Queries are taken in chunks of positions, each against only the keys up to
   * its end, so the masked half of the score matrix is mostly never computed.
   */
  private INDArray attention(Layer layer, Saved s, int rows, int length, INDArray cos, INDArray sin) {
    int heads = config.numHeads();
    int kvHeads = config.numKvHeads();
    int group = heads / kvHeads;
    int d = config.headDim();
    int qDim = config.qDim();
    int kvDim = config.kvDim();
    int n = rows * length;
    INDArray qkv = Nd4j.gemm(s.h1, layer.wQkv(), false, true);
    if (layer.bQkv() != null) qkv.addiRowVector(layer.bQkv());
    INDArray q = columns(qkv, 0, qDim).reshape(n, heads, d);
    INDArray k = columns(qkv, qDim, qDim + kvDim).reshape(n, kvHeads, d);
    INDArray v = columns(qkv, qDim + kvDim, qDim + 2 * kvDim);
    rotate(q, cos, sin, false);
    rotate(k, cos, sin, false);
    q.muli(1.0 / Math.sqrt(d));
    long bk = (long) rows * kvHeads;
    // Rows (position, head-in-group) per (sequence, KV head): a chunk of positions is a row range.
    s.qs = q.reshape(rows, length, kvHeads, group, d).permute(0, 2, 1, 3, 4).dup('c').reshape(bk, (long) length * group, d);
    s.ks = k.reshape(rows, length, kvHeads, d).permute(0, 2, 1, 3).dup('c').reshape(bk, length, d);
    s.vs = v.reshape(rows, length, kvHeads, d).permute(0, 2, 1, 3).dup('c').reshape(bk, length, d);
    INDArray out = Nd4j.create(dtype, bk, (long) length * group, d);
    int[] starts = chunkStarts(length);
    s.probs = new INDArray[starts.length - 1];
    for (int c = 0; c + 1 < starts.length; c++) {
      int from = starts[c];
      int to = starts[c + 1];
      INDArray scores = Nd4j.matmul(queryRows(s.qs, from, to, group), keyRows(s.ks, to), null, false, true, false);
      scores.addi(masks[c]);
      // Out of place: ND4J's in-place softmax is about twice as slow.
      INDArray probs = scores.ulike();
      Nd4j.exec(new SoftMax(scores, probs, 2));
      s.probs[c] = probs;
      Nd4j.exec(new Mmul(probs, keyRows(s.vs, to), queryRows(out, from, to, group), 1.0, 0.0, NO_TRANSPOSE));
    }
    s.attnOut = out.reshape(rows, kvHeads, length, group, d).permute(0, 2, 1, 3, 4).dup('c').reshape(n, qDim);
    return Nd4j.gemm(s.attnOut, layer.wO(), false, true);
  }

  /** Backward of the attention block from d loss / d (its output); returns d loss / d h1. */
  private INDArray attentionBackward(Layer layer, Saved s, INDArray dOut, int rows, int length) {
    int heads = config.numHeads();
    int kvHeads = config.numKvHeads();
    int group = heads / kvHeads;
    int d = config.headDim();
    int qDim = config.qDim();
    int kvDim = config.kvDim();
    int n = rows * length;
    long bk = (long) rows * kvHeads;
    Nd4j.gemm(dOut, s.attnOut, layer.gO(), true, false, 1.0, 1.0);
    INDArray dAttn = Nd4j.gemm(dOut, layer.wO(), false, false);
    INDArray dOs = dAttn.reshape(rows, length, kvHeads, group, d).permute(0, 2, 1, 3, 4).dup('c')
        .reshape(bk, (long) length * group, d);
    INDArray dQs = Nd4j.create(dtype, bk, (long) length * group, d);
    INDArray dKs = Nd4j.create(dtype, bk, length, d);
    INDArray dVs = Nd4j.create(dtype, bk, length, d);
    double scale = 1.0 / Math.sqrt(d);
    int[] starts = chunkStarts(length);
    for (int c = 0; c + 1 < starts.length; c++) {
      int from = starts[c];
      int to = starts[c + 1];
      INDArray probs = s.probs[c];
      INDArray dOc = queryRows(dOs, from, to, group);
      // Accumulated by the GEMM itself (beta 1): adding a result into a strided view is 4x slower.
      Nd4j.exec(new Mmul(probs, dOc, keyRows(dVs, to), 1.0, 1.0, TRANSPOSE_A));
      INDArray dProbs = Nd4j.matmul(dOc, keyRows(s.vs, to), null, false, true, false);
      Kernels.softmaxBackward(probs, dProbs);
      INDArray dScores = dProbs;
      Nd4j.exec(new Mmul(dScores, keyRows(s.ks, to), queryRows(dQs, from, to, group), scale, 0.0, NO_TRANSPOSE));
      Nd4j.exec(new Mmul(dScores, queryRows(s.qs, from, to, group), keyRows(dKs, to), 1.0, 1.0, TRANSPOSE_A));
    }
    INDArray[] cosSin = rope;
    INDArray dq = dQs.reshape(rows, kvHeads, length, group, d).permute(0, 2, 1, 3, 4).dup('c').reshape(n, heads, d);
    INDArray dk = dKs.reshape(rows, kvHeads, length, d).permute(0, 2, 1, 3).dup('c').reshape(n, kvHeads, d);
    INDArray dv = dVs.reshape(rows, kvHeads, length, d).permute(0, 2, 1, 3).dup('c').reshape(n, kvDim);
    rotate(dq, cosSin[0], cosSin[1], true);
    rotate(dk, cosSin[0], cosSin[1], true);
    INDArray dQkv = Nd4j.create(dtype, n, qDim + 2L * kvDim);
    dQkv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, qDim)).assign(dq.reshape(n, qDim));
    dQkv.get(NDArrayIndex.all(), NDArrayIndex.interval(qDim, qDim + kvDim)).assign(dk.reshape(n, kvDim));
    dQkv.get(NDArrayIndex.all(), NDArrayIndex.interval(qDim + kvDim, qDim + 2 * kvDim)).assign(dv);
    if (layer.gbQkv() != null) addColumnSums(dQkv, layer.gbQkv());
    Nd4j.gemm(dQkv, s.h1, layer.gQkv(), true, false, 1.0, 1.0);
    return Nd4j.gemm(dQkv, layer.wQkv(), false, false);
  }

  /**
   * SwiGLU computed transposed, [features, positions]: the gate and up halves of the fused
   * projection are then contiguous row blocks, so the elementwise work runs on dense memory
   * instead of strided column views (several times slower in ND4J).
   */
  private INDArray mlp(Layer layer, Saved s) {
    int inter = config.intermediateSize();
    INDArray gateUpT = Nd4j.gemm(layer.wGateUp(), s.h2, false, true);
    INDArray gate = rowBlock(gateUpT, 0, inter);
    s.up = rowBlock(gateUpT, inter, 2 * inter);
    s.sig = Transforms.sigmoid(gate, true);
    s.silu = s.sig.mul(gate);
    s.act = s.silu.mul(s.up);
    return Nd4j.gemm(s.act, layer.wDown(), true, true);
  }

  /** Backward of the MLP block; returns d loss / d h2. */
  private INDArray mlpBackward(Layer layer, Saved s, INDArray dOut) {
    int inter = config.intermediateSize();
    long n = dOut.rows();
    Nd4j.gemm(dOut, s.act, layer.gDown(), true, true, 1.0, 1.0);
    INDArray dActT = Nd4j.gemm(layer.wDown(), dOut, true, true);
    INDArray dGateUpT = Nd4j.create(dtype, 2L * inter, n);
    Kernels.swigluBackward(s.sig, s.silu, s.up, dActT, rowBlock(dGateUpT, 0, inter), rowBlock(dGateUpT, inter, 2 * inter));
    Nd4j.gemm(dGateUpT, s.h2, layer.gGateUp(), false, false, 1.0, 1.0);
    return Nd4j.gemm(dGateUpT, layer.wGateUp(), true, false);
  }

  /** Rows [from, to) of a c-order matrix: a contiguous view. */
  private static INDArray rowBlock(INDArray m, int from, int to) {
    return m.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
  }

  /** {@code into} [1, cols] += the column sums of {@code m}, as a GEMM: ND4J's column reduction is far slower. */
  private void addColumnSums(INDArray m, INDArray into) {
    INDArray ones = Nd4j.ones(dtype, 1, m.rows());
    Nd4j.gemm(ones, m, into, false, false, 1.0, 1.0);
  }

  private static INDArray columns(INDArray m, int from, int to) {
    return m.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup('c');
  }

  /**
   * Log-softmax of {@code hidden · headᵀ} row by row: writes log π(target) of each row into
   * {@code lp} and returns the probabilities π [rows, vocab] (the backward needs them).
   */
  private INDArray logSoftmaxAtTargets(INDArray hidden, int[] scored, int[] targets, double[] lp) {
    INDArray logits = Nd4j.gemm(hidden, head, false, true);
    INDArray max = logits.max(true, 1);
    INDArray shifted = logits.subiColumnVector(max);
    INDArray probs = Transforms.exp(shifted, true);
    INDArray sum = probs.sum(true, 1);
    probs.diviColumnVector(sum);
    double[] logSum = Transforms.log(sum, true).castTo(DataType.DOUBLE).toDoubleVector();
    for (int j = 0; j < scored.length; j++) {
      int y = targets[scored[j]];
      if (y < 0 || y >= config.vocabSize()) {
        throw new IllegalArgumentException("target id " + y + " at position " + scored[j] + " is outside the vocabulary");
      }
      // From the shifted logit rather than log(prob), so a vanishing probability keeps its log.
      lp[j] = shifted.getDouble(j, y) - logSum[j];
    }
    return probs;
  }

  @Override
  public void close() {
    params.close();
  }
}
