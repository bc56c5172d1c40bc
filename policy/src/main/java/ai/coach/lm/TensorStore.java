package ai.coach.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The weights of a checkpoint directory: {@code model.safetensors}, or the shards listed in
 * {@code model.safetensors.index.json}. Tensors are loaded by name into ND4J arrays of the
 * compute dtype, one at a time, with their shape checked.
 */
public final class TensorStore implements AutoCloseable {

  static final String SINGLE = "model.safetensors";
  static final String INDEX = "model.safetensors.index.json";

  private final List<Safetensors> files;
  private final Map<String, Safetensors> owner = new HashMap<>();

  private TensorStore(List<Safetensors> files) {
    this.files = files;
    for (Safetensors f : files) {
      for (String name : f.tensors().keySet()) owner.put(name, f);
    }
  }

  public static TensorStore open(Path dir) {
    List<Safetensors> opened = new ArrayList<>();
    try {
      for (Path file : weightFiles(dir)) opened.add(Safetensors.open(file));
      return new TensorStore(opened);
    } catch (RuntimeException e) {
      opened.forEach(Safetensors::close);
      throw e;
    }
  }

  /**
   * SHA-256 of the checkpoint's weight files, in shard order: what a resumed evaluation checks, so
   * that weights replaced under the same directory are not mixed with predictions of the old ones.
   */
  public static String sha256(Path dir) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 20];
    for (Path file : weightFiles(dir)) {
      if (!Files.isRegularFile(file)) throw new CheckpointException(file, "file not found");
      try (InputStream in = Files.newInputStream(file)) {
        for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
      } catch (IOException e) {
        throw new CheckpointException(file, "unreadable: " + e.getMessage(), e);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static List<Path> weightFiles(Path dir) {
    Path single = dir.resolve(SINGLE);
    Path index = dir.resolve(INDEX);
    if (Files.isRegularFile(single)) return List.of(single);
    if (!Files.isRegularFile(index)) {
      throw new CheckpointException(dir, "no weights: expected " + SINGLE + " or " + INDEX);
    }
    return shardNames(index).stream().map(dir::resolve).toList();
  }

  private static List<String> shardNames(Path index) {
    JsonNode map;
    try {
      map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
    } catch (IOException e) {
      throw new CheckpointException(index, "unreadable JSON: " + e.getMessage(), e);
    }
    if (!map.isObject() || map.isEmpty()) {
      throw new CheckpointException(index, "missing or empty 'weight_map'");
    }
    List<String> names = new ArrayList<>();
    for (Iterator<Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      String shard = it.next().getValue().asText();
      if (!names.contains(shard)) names.add(shard);
    }
    return names;
  }

  public boolean has(String name) {
    return owner.containsKey(name);
  }

  /** Storage dtype of the first tensor, for logging what the checkpoint holds. */
  public Safetensors.Dtype storedDtype() {
    for (Safetensors f : files) {
      for (Safetensors.TensorInfo t : f.tensors().values()) return t.dtype();
    }
    throw new IllegalStateException("empty checkpoint");
  }

  /**
   * Loads a tensor as {@code target} dtype, checking it has exactly {@code shape}. The bytes go
   * from the mapped file into one ND4J buffer in the stored dtype, converted only if needed.
   */
  public INDArray load(String name, DataType target, long... shape) {
    Safetensors file = owner.get(name);
    if (file == null) {
      throw new CheckpointException(files.get(0).file().getParent(), "missing tensor '" + name + "'");
    }
    Safetensors.TensorInfo info = file.tensors().get(name);
    if (!Arrays.equals(info.shape(), shape)) {
      throw new CheckpointException(
          file.file(), "tensor '" + name + "' has shape " + Arrays.toString(info.shape()) + ", expected "
              + Arrays.toString(shape));
    }
    ByteBuffer bytes = file.map(info);
    if (info.dtype() == Safetensors.Dtype.F32 || target != DataType.FLOAT) {
      DataType stored = switch (info.dtype()) {
        case F32 -> DataType.FLOAT;
        case F16 -> DataType.HALF;
        case BF16 -> DataType.BFLOAT16;
      };
      DataBuffer buffer = Nd4j.createBuffer(bytes, stored, (int) info.numel());
      INDArray array = Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', stored);
      if (stored == target) return array;
      INDArray converted = array.castTo(target);
      array.close();
      return converted;
    }
    // Half-precision storage into fp32 compute: widened here in chunks straight into the ND4J
    // buffer (ND4J's own BFLOAT16 buffer import reads these bytes wrongly).
    INDArray array = Nd4j.create(DataType.FLOAT, shape);
    FloatBuffer out = array.data().asNioFloat();
    ShortBuffer in = bytes.asShortBuffer();
    float[] chunk = new float[8192];
    boolean bf16 = info.dtype() == Safetensors.Dtype.BF16;
    while (in.hasRemaining()) {
      int n = Math.min(chunk.length, in.remaining());
      for (int i = 0; i < n; i++) {
        short h = in.get();
        chunk[i] = bf16 ? Float.intBitsToFloat((h & 0xffff) << 16) : halfToFloat(h);
      }
      out.put(chunk, 0, n);
    }
    return array;
  }

  /** IEEE 754 binary16 to binary32 (Java 17 has no Float.float16ToFloat). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    if (exp == 0) {
      if (mant == 0) return Float.intBitsToFloat(sign);
      float value = mant / 1024.0f / 16384.0f;
      return (sign != 0) ? -value : value;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  @Override
  public void close() {
    files.forEach(Safetensors::close);
  }
}
