package ai.coach.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The weights' fingerprint that resumed evaluations check. */
class TensorStoreTest {

  @TempDir Path tmp;

  @Test
  void sha256FollowsTheWeightsNotTheDirectory() throws IOException {
    Path a = RandomCheckpoint.write(tmp.resolve("a"), 1);
    Path sameWeights = RandomCheckpoint.write(tmp.resolve("b"), 1);
    Path otherWeights = RandomCheckpoint.write(tmp.resolve("c"), 2);
    String hash = TensorStore.sha256(a);
    assertTrue(hash.matches("[0-9a-f]{64}"), hash);
    assertEquals(hash, TensorStore.sha256(sameWeights));
    assertNotEquals(hash, TensorStore.sha256(otherWeights));

    // Replaced in place: same directory, other fingerprint.
    Files.copy(otherWeights.resolve("model.safetensors"), a.resolve("model.safetensors"),
        StandardCopyOption.REPLACE_EXISTING);
    assertEquals(TensorStore.sha256(otherWeights), TensorStore.sha256(a));
  }

  @Test
  void shardsAreHashedInIndexOrderAndAMissingOneIsNamed() throws IOException {
    Path dir = RandomCheckpoint.write(tmp.resolve("s"), 1);
    String single = TensorStore.sha256(dir);
    Files.move(dir.resolve("model.safetensors"), dir.resolve("model-00001-of-00001.safetensors"));
    Files.writeString(dir.resolve("model.safetensors.index.json"),
        "{\"weight_map\": {\"a\": \"model-00001-of-00001.safetensors\"}}");
    assertEquals(single, TensorStore.sha256(dir), "one shard holds the same bytes as the single file");

    Files.writeString(dir.resolve("model.safetensors.index.json"),
        "{\"weight_map\": {\"a\": \"model-00001-of-00001.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"}}");
    CheckpointException e = assertThrows(CheckpointException.class, () -> TensorStore.sha256(dir));
    assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors") && e.getMessage().contains("not found"), e.getMessage());
  }
}
