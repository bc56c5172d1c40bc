package ai.coach.lm;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The models resident in this process, loaded once and shared. Work items (tasks, solutions,
 * critiques) name a model by its directory and never hold the model itself, so the same batch
 * function runs in a local thread pool or in a Spark executor that keeps its own registry.
 */
public final class ModelRegistry {

  private static final Map<String, Checkpoint> LOADED = new HashMap<>();

  private ModelRegistry() {}

  public static synchronized Checkpoint get(Path dir, DataType dtype) {
    String key = dir.toAbsolutePath().normalize() + "|" + dtype;
    return LOADED.computeIfAbsent(key, k -> Checkpoint.load(dir, dtype));
  }

  public static Checkpoint get(Path dir) {
    return get(dir, DataType.FLOAT);
  }

  /** Frees every resident model (end of a run, or an executor shutting down). */
  public static synchronized void closeAll() {
    LOADED.values().forEach(Checkpoint::close);
    LOADED.clear();
  }
}
