package ai.coach.lm;

import java.nio.file.Path;
import org.bytedeco.javacpp.FloatPointer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Qwen2 decoder (and Llama-style models, which differ only in the q/k/v biases) on ND4J.
 *
 * <p>Per layer: RMSNorm, fused q/k/v projection, rotary embedding (Hugging Face's rotate-half
 * form), grouped-query attention over the sequence's KV cache, output projection, RMSNorm,
 * fused gate/up projection, SiLU gating, down projection, each block with a residual add.
 *
 * <p>One {@link #append} call is one forward pass over a ragged batch: the new tokens of all
 * sequences are stacked into one matrix so every projection is a single GEMM, and only attention
 * runs per sequence against that sequence's own cache. Prefill, forced text and decode are the
 * same code path; they differ only in how many tokens each sequence brings.
 *
 * <p>Not thread-safe for concurrent appends: the model batches work instead (ND4J workspaces are
 * per thread and the GEMMs already use every core).
 */
public final class Qwen2Model implements LanguageModel {

  private static final Logger log = LoggerFactory.getLogger(Qwen2Model.class);

  /** Long appends are split so attention scores stay small (chunk × context per head). */
  private static final int MAX_CHUNK = 512;

  private static final int ELEMENTWISE_THRESHOLD = 65_536;
  private static final int TAD_THRESHOLD = 256;

  /**
   * Activations of one forward (or forward-backward) pass: sized after the first pass and reused,
   * growing when a bigger batch comes. Shared with the trainer.
   */
  public static final WorkspaceConfiguration ACTIVATIONS_WORKSPACE = WorkspaceConfiguration.builder()
      .initialSize(0)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policySpill(SpillPolicy.REALLOCATE)
      .build();

  private final ModelConfig config;
  private final DataType dtype;
  private final INDArray embed;
  private final INDArray lmHead;
  private final INDArray finalNorm;
  private final Layer[] layers;
  private final Rope rope;
  private final String workspaceId = "coach-forward-" + System.identityHashCode(this);
  /** Decode-attention scratch (scores of one KV head's query group), grown as contexts grow. */
  private FloatPointer scores;
  private float[] scoreRow;

  /** One decoder layer's weights, stored as Hugging Face does: [out, in], applied transposed. */
  private record Layer(
      INDArray inputNorm, INDArray wQkv, INDArray bQkv, INDArray wO, INDArray postNorm, INDArray wGateUp, INDArray wDown) {}

  private Qwen2Model(ModelConfig config, DataType dtype, INDArray embed, INDArray lmHead, INDArray finalNorm, Layer[] layers) {
    this.config = config;
    this.dtype = dtype;
    this.embed = embed;
    this.lmHead = lmHead;
    this.finalNorm = finalNorm;
    this.layers = layers;
    this.rope = new Rope(config.headDim(), config.ropeTheta(), dtype, CpuKernels.applies(Nd4j.create(dtype, 1)));
  }

  /** Loads in fp32, the CPU default. */
  public static Qwen2Model load(Path dir) {
    return load(dir, DataType.FLOAT);
  }

  /** Loads a checkpoint directory, converting weights to {@code dtype} (FLOAT, HALF or BFLOAT16). */
  public static Qwen2Model load(Path dir, DataType dtype) {
    tuneThreading();
    if (dtype != DataType.FLOAT && dtype != DataType.HALF && dtype != DataType.BFLOAT16) {
      throw new IllegalArgumentException("compute dtype must be FLOAT, HALF or BFLOAT16, got " + dtype);
    }
    ModelConfig c = ModelConfig.read(dir);
    long start = System.nanoTime();
    try (TensorStore store = TensorStore.open(dir)) {
      int h = c.hiddenSize();
      INDArray embed = store.load("model.embed_tokens.weight", dtype, c.vocabSize(), h);
      INDArray lmHead;
      if (c.tieWordEmbeddings() || !store.has("lm_head.weight")) {
        if (!c.tieWordEmbeddings()) {
          throw new CheckpointException(dir, "missing tensor 'lm_head.weight' and tie_word_embeddings is false");
        }
        lmHead = embed;
      } else {
        lmHead = store.load("lm_head.weight", dtype, c.vocabSize(), h);
      }
      Layer[] layers = new Layer[c.numLayers()];
      for (int i = 0; i < layers.length; i++) layers[i] = loadLayer(store, c, i, dtype);
      INDArray finalNorm = store.load("model.norm.weight", dtype, h);
      log.info(
          "loaded {} ({}, {} layers, {}M parameters, stored {}) on ND4J {} backend, compute dtype {}, in {} ms",
          dir.getFileName(), c.architecture(), c.numLayers(), String.format("%.2f", c.parameterCount() / 1e6), store.storedDtype(),
          Nd4j.getBackend().getClass().getSimpleName().replace("Backend", ""), dtype, (System.nanoTime() - start) / 1_000_000);
      return new Qwen2Model(c, dtype, embed, lmHead, finalNorm, layers);
    }
  }

  /**
   * ND4J splits any elementwise op over 1,024 elements, and every reduction, across its OpenMP
   * threads. A decode step is hundreds of such small ops, where waking threads costs more than
   * the arithmetic (and, on a busy machine, a descheduled thread stalls the whole barrier), so
   * small ops run on the calling thread; GEMMs keep every BLAS thread.
   */
  private static void tuneThreading() {
    Nd4j.getEnvironment().setElementwiseThreshold(ELEMENTWISE_THRESHOLD);
    Nd4j.getEnvironment().setTadThreshold(TAD_THRESHOLD);
  }

  private static Layer loadLayer(TensorStore store, ModelConfig c, int i, DataType dtype) {
    String p = "model.layers." + i + ".";
    int h = c.hiddenSize();
    INDArray q = store.load(p + "self_attn.q_proj.weight", dtype, c.qDim(), h);
    INDArray k = store.load(p + "self_attn.k_proj.weight", dtype, c.kvDim(), h);
    INDArray v = store.load(p + "self_attn.v_proj.weight", dtype, c.kvDim(), h);
    INDArray wQkv = concatAndClose(q, k, v);
    INDArray bQkv = null;
    if (c.qkvBias()) {
      bQkv = concatAndClose(
          store.load(p + "self_attn.q_proj.bias", dtype, c.qDim()).reshape(1, c.qDim()),
          store.load(p + "self_attn.k_proj.bias", dtype, c.kvDim()).reshape(1, c.kvDim()),
          store.load(p + "self_attn.v_proj.bias", dtype, c.kvDim()).reshape(1, c.kvDim()));
    }
    INDArray gate = store.load(p + "mlp.gate_proj.weight", dtype, c.intermediateSize(), h);
    INDArray up = store.load(p + "mlp.up_proj.weight", dtype, c.intermediateSize(), h);
    return new Layer(
        store.load(p + "input_layernorm.weight", dtype, h).reshape(1, h),
        wQkv,
        bQkv,
        store.load(p + "self_attn.o_proj.weight", dtype, h, c.qDim()),
        store.load(p + "post_attention_layernorm.weight", dtype, h).reshape(1, h),
        concatAndClose(gate, up),
        store.load(p + "mlp.down_proj.weight", dtype, h, c.intermediateSize()));
  }

  /** Rows of the parts stacked in order; the parts are freed at once. */
  private static INDArray concatAndClose(INDArray... parts) {
    int axis = 0;
    if (parts[0].rank() == 2 && parts[0].rows() == 1) axis = 1;
    INDArray joined = Nd4j.concat(axis, parts);
    for (INDArray part : parts) part.close();
    return joined;
  }

  public ModelConfig config() {
    return config;
  }

  public DataType dtype() {
    return dtype;
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  @Override
  public int maxPositions() {
    return config.maxPositions();
  }

  @Override
  public KvSequence newSequence() {
    return new KvSequence(config, dtype);
  }

  @Override
  public List<SequenceState> fork(SequenceState state, int n) {
    KvSequence source = own(state);
    List<SequenceState> copies = new ArrayList<>(n);
    for (int i = 0; i < n; i++) copies.add(source.copy());
    return copies;
  }

  @Override
  public synchronized void append(List<? extends SequenceState> sequences, List<int[]> tokens) {
    run(sequences, tokens, false);
  }

  @Override
  public synchronized List<float[][]> appendAll(List<? extends SequenceState> sequences, List<int[]> tokens) {
    return run(sequences, tokens, true);
  }

  /** Feeds the tokens chunk by chunk; each round is one batched forward over all sequences. */
  private List<float[][]> run(List<? extends SequenceState> sequences, List<int[]> tokens, boolean allLogits) {
    if (sequences.size() != tokens.size()) {
      throw new IllegalArgumentException(sequences.size() + " sequences but " + tokens.size() + " token arrays");
    }
    List<KvSequence> seqs = new ArrayList<>(sequences.size());
    List<float[][]> logits = new ArrayList<>(sequences.size());
    for (int i = 0; i < sequences.size(); i++) {
      KvSequence s = own(sequences.get(i));
      int[] t = tokens.get(i);
      if (t.length == 0) throw new IllegalArgumentException("sequence " + i + ": nothing to append");
      if (s.length() + t.length > config.maxPositions()) {
        throw new IllegalArgumentException(
            "sequence " + i + " would reach " + (s.length() + t.length) + " tokens, over max_position_embeddings "
                + config.maxPositions());
      }
      for (int id : t) {
        if (id < 0 || id >= config.vocabSize()) {
          throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
        }
      }
      seqs.add(s);
      logits.add(allLogits ? new float[t.length][] : null);
    }
    for (int offset = 0; ; offset += MAX_CHUNK) {
      List<KvSequence> batch = new ArrayList<>();
      List<int[]> chunks = new ArrayList<>();
      List<Integer> owners = new ArrayList<>();
      for (int i = 0; i < seqs.size(); i++) {
        int[] t = tokens.get(i);
        if (offset >= t.length) continue;
        batch.add(seqs.get(i));
        chunks.add(Arrays.copyOfRange(t, offset, Math.min(t.length, offset + MAX_CHUNK)));
        owners.add(i);
      }
      if (batch.isEmpty()) break;
      float[][][] out = forward(batch, chunks, allLogits);
      if (allLogits) {
        for (int b = 0; b < batch.size(); b++) {
          System.arraycopy(out[b], 0, logits.get(owners.get(b)), offset, out[b].length);
        }
      }
    }
    return allLogits ? logits : null;
  }

  /**
   * One forward pass. Returns, per sequence, the logits rows of every new position when
   * {@code allLogits}, else null (the last row is stored in the sequence either way).
   */
  private float[][][] forward(List<KvSequence> seqs, List<int[]> chunks, boolean allLogits) {
    int b = seqs.size();
    int total = 0;
    int[] rowStart = new int[b + 1];
    for (int i = 0; i < b; i++) {
      rowStart[i] = total;
      total += chunks.get(i).length;
      seqs.get(i).reserve(seqs.get(i).length() + chunks.get(i).length);
    }
    rowStart[b] = total;
    int[] ids = new int[total];
    int[] positions = new int[total];
    for (int i = 0; i < b; i++) {
      int[] c = chunks.get(i);
      System.arraycopy(c, 0, ids, rowStart[i], c.length);
      for (int j = 0; j < c.length; j++) positions[rowStart[i] + j] = seqs.get(i).length() + j;
    }
    rope.ensure(seqs.stream().mapToInt(s -> s.length()).max().orElse(0) + MAX_CHUNK);

    float[][][] result = new float[b][][];
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(ACTIVATIONS_WORKSPACE, workspaceId)) {
      // pullRows gathers in one native call; getRows copies row by row (40x slower at 4K rows).
      INDArray x = Nd4j.pullRows(embed, 1, ids, 'c');
      for (int l = 0; l < layers.length; l++) {
        Layer layer = layers[l];
        addLinear(x, attention(l, layer, rmsNorm(x, layer.inputNorm()), positions, seqs, rowStart), layer.wO());
        addLinear(x, mlpActivation(layer, rmsNorm(x, layer.postNorm())), layer.wDown());
      }
      INDArray hidden = rmsNorm(x, finalNorm);
      if (allLogits) {
        float[] flat = floats(linear(hidden, lmHead));
        int v = config.vocabSize();
        for (int i = 0; i < b; i++) {
          int n = rowStart[i + 1] - rowStart[i];
          result[i] = new float[n][];
          for (int j = 0; j < n; j++) {
            result[i][j] = Arrays.copyOfRange(flat, (rowStart[i] + j) * v, (rowStart[i] + j + 1) * v);
          }
          seqs.get(i).accept(chunks.get(i), result[i][n - 1]);
        }
      } else {
        int[] last = new int[b];
        for (int i = 0; i < b; i++) last[i] = rowStart[i + 1] - 1;
        float[] flat = floats(linear(b == total ? hidden : Nd4j.pullRows(hidden, 1, last, 'c'), lmHead));
        int v = config.vocabSize();
        for (int i = 0; i < b; i++) {
          seqs.get(i).accept(chunks.get(i), Arrays.copyOfRange(flat, i * v, (i + 1) * v));
        }
      }
    }
    return allLogits ? result : null;
  }

  /** A logits matrix as fp32 values, row after row. */
  private static float[] floats(INDArray logits) {
    return (logits.dataType() == DataType.FLOAT ? logits : logits.castTo(DataType.FLOAT)).data().asFloat();
  }

  private INDArray rmsNorm(INDArray x, INDArray weight) {
    if (CpuKernels.applies(x, weight)) {
      INDArray out = Nd4j.createUninitialized(dtype, x.rows(), x.columns());
      CpuKernels.rmsNorm(x, weight, config.rmsNormEps(), out);
      return out;
    }
    INDArray rms = x.mul(x).mean(true, 1).addi(config.rmsNormEps());
    Transforms.sqrt(rms, false);
    return x.divColumnVector(rms).muliRowVector(weight);
  }

  private INDArray attention(
      int layerIndex, Layer layer, INDArray h, int[] positions, List<KvSequence> seqs, int[] rowStart) {
    int qDim = config.qDim();
    int kvDim = config.kvDim();
    int d = config.headDim();
    int kvHeads = config.numKvHeads();
    int group = config.numHeads() / kvHeads;
    int total = h.rows();
    INDArray qkv = linear(h, layer.wQkv());
    INDArray q;
    INDArray k;
    INDArray v;
    if (CpuKernels.applies(qkv)) {
      q = Nd4j.createUninitialized(dtype, total, config.numHeads(), d);
      k = Nd4j.createUninitialized(dtype, total, kvHeads, d);
      v = Nd4j.createUninitialized(dtype, total, kvHeads, d);
      // The 1/sqrt(d) attention scale is folded into q here (RoPE is linear, so the order is free).
      CpuKernels.splitQkv(qkv, layer.bQkv(), (float) (1.0 / Math.sqrt(d)), q, k, v);
    } else {
      if (layer.bQkv() != null) qkv.addiRowVector(layer.bQkv());
      // Contiguous copies: ND4J mis-indexes sub-views of a reshaped column slice.
      q = columns(qkv, 0, qDim).reshape(total, config.numHeads(), d);
      k = columns(qkv, qDim, qDim + kvDim).reshape(total, kvHeads, d);
      v = columns(qkv, qDim + kvDim, qDim + 2 * kvDim).reshape(total, kvHeads, d);
      q.muli(1.0 / Math.sqrt(d));
    }
    rope.apply(q, positions);
    rope.apply(k, positions);

    INDArray out = Nd4j.create(dtype, total, qDim);
    // Caches share q's dtype and layout, so one check covers every sequence's cache too.
    boolean fastCopies = CpuKernels.applies(q, k, v, out);
    for (int i = 0; i < seqs.size(); i++) {
      KvSequence s = seqs.get(i);
      int r0 = rowStart[i];
      int n = rowStart[i + 1] - r0;
      int past = s.length();
      int ctx = past + n;
      if (fastCopies && n == 1) {
        CpuKernels.writeKv(s.cache(), layerIndex, s.capacity(), past, k, v, r0, 1);
        decodeAttention(layerIndex, s, q, r0, ctx, out);
        continue;
      }
      INDArrayIndex seqRows = NDArrayIndex.interval(r0, r0 + n);
      INDArray kCache = s.keys(layerIndex);
      INDArray vCache = s.values(layerIndex);
      INDArrayIndex fresh = NDArrayIndex.interval(past, ctx);
      if (fastCopies) {
        CpuKernels.writeKv(s.cache(), layerIndex, s.capacity(), past, k, v, r0, n);
      } else {
        kCache.get(NDArrayIndex.all(), fresh, NDArrayIndex.all()).assign(k.get(seqRows, NDArrayIndex.all(), NDArrayIndex.all()).permute(1, 0, 2));
        vCache.get(NDArrayIndex.all(), fresh, NDArrayIndex.all()).assign(v.get(seqRows, NDArrayIndex.all(), NDArrayIndex.all()).permute(1, 0, 2));
      }
      INDArray keys = kCache.get(NDArrayIndex.all(), NDArrayIndex.interval(0, ctx), NDArrayIndex.all());
      INDArray vals = vCache.get(NDArrayIndex.all(), NDArrayIndex.interval(0, ctx), NDArrayIndex.all());
      // Queries of one KV head's group, ordered (position, head-in-group): [kvHeads, n*group, d].
      INDArray qRows = q.get(seqRows, NDArrayIndex.all(), NDArrayIndex.all());
      INDArray qs = n == 1
          ? qRows.reshape(kvHeads, group, d)
          : qRows.reshape(n, kvHeads, group, d).permute(1, 0, 2, 3).dup('c').reshape(kvHeads, (long) n * group, d);
      INDArray scores = Nd4j.matmul(qs, keys, null, false, true, false);
      if (n > 1) scores.addi(causalMask(n, group, past, ctx));
      Nd4j.exec(new SoftMax(scores, scores, 2));
      INDArray ctxOut = Nd4j.matmul(scores, vals);
      if (fastCopies && CpuKernels.applies(ctxOut)) {
        CpuKernels.scatterHeads(ctxOut, n, group, out, r0);
      } else {
        out.get(seqRows, NDArrayIndex.all())
            .assign(ctxOut.reshape(kvHeads, n, group, d).permute(1, 0, 2, 3).reshape(n, qDim));
      }
    }
    return out;
  }

  /**
   * Attention of one new token (row r of q, already scaled) over positions [0, ctx) of its
   * sequence's cache, written into row r of out: per KV head, the query group times the cached
   * keys, a softmax, then times the cached values, as two direct BLAS calls on the cache memory.
   * Decode is hundreds of these small products per step, where ND4J's dispatch cost dominated.
   */
  private void decodeAttention(int layer, KvSequence s, INDArray q, int r, int ctx, INDArray out) {
    int d = config.headDim();
    int kvHeads = config.numKvHeads();
    int group = config.numHeads() / kvHeads;
    int cap = s.capacity();
    if (scores == null || scores.capacity() < (long) group * ctx) {
      if (scores != null) scores.close();
      scores = new FloatPointer((long) group * Math.max(ctx, 1024));
      scoreRow = new float[group * Math.max(ctx, 1024)];
    }
    FloatPointer cache = Blas.pointer(s.cache());
    long cacheBase = cache.position();
    FloatPointer qp = Blas.pointer(q);
    long qBase = qp.position();
    FloatPointer op = Blas.pointer(out);
    long outBase = op.position();
    for (int h = 0; h < kvHeads; h++) {
      long keys = cacheBase + (((long) layer * 2 * kvHeads + h) * cap) * d;
      long values = keys + (long) kvHeads * cap * d;
      long queries = qBase + ((long) r * config.numHeads() + (long) h * group) * d;
      Blas.gemm(true, group, ctx, d, 1f, qp.position(queries), d, cache.position(keys), d, scores.position(0), ctx);
      scores.position(0).get(scoreRow, 0, group * ctx);
      for (int g = 0; g < group; g++) CpuKernels.softmax(scoreRow, g * ctx, ctx);
      scores.position(0).put(scoreRow, 0, group * ctx);
      long dest = outBase + ((long) r * config.qDim() + (long) h * group * d);
      Blas.gemm(false, group, d, ctx, 1f, scores.position(0), ctx, cache.position(values), d, op.position(dest), d);
    }
  }

  /** a · wᵀ for a Hugging Face [out, in] weight: direct BLAS on the CPU fast path. */
  private INDArray linear(INDArray a, INDArray w) {
    if (CpuKernels.applies(a, w)) {
      INDArray c = Nd4j.createUninitialized(dtype, a.rows(), w.rows());
      Blas.gemmNT(a, w, c, 0f);
      return c;
    }
    return Nd4j.gemm(a, w, false, true);
  }

  /** x += a · wᵀ, the residual add folded into the GEMM on the CPU fast path. */
  private void addLinear(INDArray x, INDArray a, INDArray w) {
    if (CpuKernels.applies(x, a, w)) {
      Blas.gemmNT(a, w, x, 1f);
    } else {
      x.addi(Nd4j.gemm(a, w, false, true));
    }
  }

  private static INDArray columns(INDArray m, int from, int to) {
    return m.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup('c');
  }

  /** Additive mask hiding future keys: row (t, head) may see keys up to position past + t. */
  private INDArray causalMask(int n, int group, int past, int ctx) {
    float[] mask = new float[n * group * ctx];
    for (int t = 0; t < n; t++) {
      for (int g = 0; g < group; g++) {
        int row = (t * group + g) * ctx;
        Arrays.fill(mask, row + past + t + 1, row + ctx, Float.NEGATIVE_INFINITY);
      }
    }
    return Nd4j.create(mask, new long[] {1, (long) n * group, ctx}, 'c').castTo(dtype);
  }

  /** SiLU(h · gateᵀ) ⊙ (h · upᵀ), the input of the down projection. */
  private INDArray mlpActivation(Layer layer, INDArray h) {
    int inter = config.intermediateSize();
    INDArray gateUp = linear(h, layer.wGateUp());
    if (CpuKernels.applies(gateUp)) {
      INDArray act = Nd4j.createUninitialized(dtype, h.rows(), inter);
      CpuKernels.siluGate(gateUp, inter, act);
      return act;
    }
    INDArray gate = gateUp.get(NDArrayIndex.all(), NDArrayIndex.interval(0, inter));
    INDArray up = gateUp.get(NDArrayIndex.all(), NDArrayIndex.interval(inter, 2 * inter));
    return Nd4j.exec(new Swish(gate, Nd4j.create(dtype, h.rows(), inter))).muli(up);
  }

  private KvSequence own(SequenceState state) {
    if (!(state instanceof KvSequence s) || !s.belongsTo(config)) {
      throw new IllegalArgumentException("sequence was not created by this model");
    }
    if (s.isClosed()) throw new IllegalStateException("sequence was closed");
    return s;
  }

  @Override
  public void close() {
    embed.close();
    if (lmHead != embed) lmHead.close();
    finalNorm.close();
    for (Layer l : layers) {
      l.inputNorm().close();
      l.wQkv().close();
      if (l.bQkv() != null) l.bQkv().close();
      l.wO().close();
      l.postNorm().close();
      l.wGateUp().close();
      l.wDown().close();
    }
    rope.close();
    if (scores != null) scores.close();
  }
}
