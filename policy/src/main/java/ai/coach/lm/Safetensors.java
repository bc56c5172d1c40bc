package ai.coach.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Map.Entry;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and byte range, then the raw data. The header is validated against
 * the file size up front, so a truncated download fails here with the file named instead of
 * later with garbage weights. Tensor bytes are memory-mapped one tensor at a time, so a loader
 * converts straight from the page cache into the engine's buffers without a second full copy.
 */
public final class Safetensors implements AutoCloseable {

  /** Element types Coach reads. Others (int8, fp8...) are rejected with the tensor named. */
  public enum Dtype {
    F32(4),
    F16(2),
    BF16(2);

    final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }
  }

  /** Where one tensor lives in the file. */
  public record TensorInfo(String name, Dtype dtype, long[] shape, long begin, long end) {
    public long numel() {
      long n = 1;
      for (long d : shape) n *= d;
      return n;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;

  private Safetensors(Path file, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors) {
    this.file = file;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
  }

  public static Safetensors open(Path file) {
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file, "file not found");
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot open: " + e.getMessage(), e);
    }
    try {
      return parse(file, channel);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static Safetensors parse(Path file, FileChannel channel) {
    try {
      long size = channel.size();
      if (size < 8) {
        throw new CheckpointException(file, "truncated safetensors file (" + size + " bytes, no header)");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      channel.read(lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > 100_000_000L || 8 + headerLen > size) {
        throw new CheckpointException(
            file, "truncated or corrupt safetensors header (header length " + headerLen + ", file " + size + " bytes)");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      channel.read(header, 8);
      JsonNode root = JSON.readTree(header.array());
      long dataStart = 8 + headerLen;
      long dataSize = size - dataStart;
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      for (Iterator<Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) continue;
        TensorInfo info = tensorInfo(file, e.getKey(), e.getValue());
        if (info.end() > dataSize) {
          throw new CheckpointException(
              file,
              "truncated safetensors file: tensor '" + info.name() + "' ends at byte " + info.end()
                  + " of the data section but the file holds only " + dataSize);
        }
        tensors.put(info.name(), info);
      }
      return new Safetensors(file, channel, dataStart, tensors);
    } catch (IOException e) {
      throw new CheckpointException(file, "unreadable safetensors header: " + e.getMessage(), e);
    }
  }

  private static TensorInfo tensorInfo(Path file, String name, JsonNode node) {
    String dtypeName = node.path("dtype").asText();
    Dtype dtype;
    try {
      dtype = Dtype.valueOf(dtypeName);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(
          file, "tensor '" + name + "' has unsupported dtype " + dtypeName + " (expected F32, F16 or BF16)");
    }
    JsonNode shapeNode = node.path("shape");
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asLong();
    JsonNode offsets = node.path("data_offsets");
    if (offsets.size() != 2) {
      throw new CheckpointException(file, "tensor '" + name + "' has no data_offsets");
    }
    TensorInfo info = new TensorInfo(name, dtype, shape, offsets.get(0).asLong(), offsets.get(1).asLong());
    if (info.end() - info.begin() != info.numel() * dtype.bytes) {
      throw new CheckpointException(
          file, "tensor '" + name + "' spans " + (info.end() - info.begin()) + " bytes but its shape needs "
              + info.numel() * dtype.bytes);
    }
    return info;
  }

  public Path file() {
    return file;
  }

  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /**
   * The tensor's bytes, little-endian, mapped from the file (not copied). A single tensor over
   * 2 GiB is not supported by Java's mapping and is reported as such.
   */
  public ByteBuffer map(TensorInfo info) {
    long length = info.end() - info.begin();
    if (length > Integer.MAX_VALUE) {
      throw new CheckpointException(file, "tensor '" + info.name() + "' is over 2 GiB, which cannot be mapped");
    }
    try {
      return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), length).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot map tensor '" + info.name() + "': " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Read-only channel: nothing is lost when close fails.
    }
  }
}
