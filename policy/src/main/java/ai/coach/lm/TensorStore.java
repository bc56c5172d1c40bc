package ai.coach.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
    Path single = dir.resolve(SINGLE);
    Path index = dir.resolve(INDEX);
    if (Files.isRegularFile(single)) {
      return new TensorStore(List.of(Safetensors.open(single)));
    }
    if (!Files.isRegularFile(index)) {
      throw new CheckpointException(dir, "no weights: expected " + SINGLE + " or " + INDEX);
    }
    List<Safetensors> opened = new ArrayList<>();
    try {
      for (String shard : shardNames(index)) opened.add(Safetensors.open(dir.resolve(shard)));
      return new TensorStore(opened);
    } catch (RuntimeException e) {
      opened.forEach(Safetensors::close);
      throw e;
    }
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
    DataType stored = switch (info.dtype()) {
      case F32 -> DataType.FLOAT;
      case F16 -> DataType.HALF;
      case BF16 -> DataType.BFLOAT16;
    };
    ByteBuffer bytes = file.map(info);
    DataBuffer buffer = Nd4j.createBuffer(bytes, stored, (int) info.numel());
    INDArray array = Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', stored);
    if (stored == target) return array;
    INDArray converted = array.castTo(target);
    array.close();
    return converted;
  }

  @Override
  public void close() {
    files.forEach(Safetensors::close);
  }
}
