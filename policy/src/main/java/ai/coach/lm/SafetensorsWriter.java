package ai.coach.lm;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes tensors in the safetensors layout Hugging Face reads: header length, JSON header with
 * dtype, shape and data offsets (padded to 8 bytes), then the little-endian data. The file is
 * written beside its target and moved into place, so a crash never leaves a half-written
 * checkpoint under the real name.
 */
public final class SafetensorsWriter {

  private final Map<String, INDArray> tensors = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  /** Adds a tensor, stored F32, F16 or BF16 after its ND4J dtype. */
  public SafetensorsWriter add(String name, INDArray array) {
    if (tensors.containsKey(name)) throw new IllegalArgumentException("tensor '" + name + "' added twice");
    dtypeName(array.dataType());
    tensors.put(name, array);
    return this;
  }

  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  public void write(Path file) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    if (!metadata.isEmpty()) header.put("__metadata__", metadata);
    long offset = 0;
    for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
      INDArray a = e.getValue();
      long bytes = a.length() * a.dataType().width();
      header.put(e.getKey(), Map.of(
          "dtype", dtypeName(a.dataType()),
          "shape", a.shape(),
          "data_offsets", List.of(offset, offset + bytes)));
      offset += bytes;
    }
    byte[] json = new ObjectMapper().writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = new byte[padded];
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    for (int i = json.length; i < padded; i++) headerBytes[i] = ' ';
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
      out.write(headerBytes);
      for (INDArray a : tensors.values()) {
        ByteBuffer data = a.dup('c').data().asNio().order(ByteOrder.LITTLE_ENDIAN);
        byte[] chunk = new byte[(int) (a.length() * a.dataType().width())];
        data.get(chunk);
        out.write(chunk);
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String dtypeName(DataType t) {
    return switch (t) {
      case FLOAT -> "F32";
      case HALF -> "F16";
      case BFLOAT16 -> "BF16";
      default -> throw new IllegalArgumentException("cannot store dtype " + t + " (F32, F16 or BF16 only)");
    };
  }
}
