package ai.coach.train;

import ai.coach.lm.CheckpointException;
import ai.coach.lm.Safetensors;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Single tensors of a training checkpoint's side files (optimizer moments), stored F32. */
final class TensorFiles {

  private TensorFiles() {}

  /** F32 for the writer, which stores F32/F16/BF16 only (a DOUBLE test model is narrowed). */
  static INDArray storable(INDArray a) {
    return a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
  }

  /** The F32 tensor {@code name} of {@code file}, checked to hold {@code shape}. */
  static INDArray read(Path file, String name, long... shape) {
    try (Safetensors st = Safetensors.open(file)) {
      Safetensors.TensorInfo info = st.tensors().get(name);
      if (info == null) throw new CheckpointException(file, "missing tensor '" + name + "'");
      if (!Arrays.equals(info.shape(), shape) || info.dtype() != Safetensors.Dtype.F32) {
        throw new CheckpointException(file, "tensor '" + name + "' is " + info.dtype() + " " + Arrays.toString(info.shape())
            + ", expected F32 " + Arrays.toString(shape));
      }
      ByteBuffer bytes = st.map(info);
      DataBuffer buffer = Nd4j.createBuffer(bytes, DataType.FLOAT, (int) info.numel());
      return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', DataType.FLOAT).dup();
    }
  }
}
