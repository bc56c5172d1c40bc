package ai.coach.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Reference data written by scripts/make_fixtures.py with transformers and tokenizers, committed
 * so the suite needs no torch. Regenerate with that script when a fixture must change.
 */
public final class Fixtures {

  private Fixtures() {}

  public static Path dir(String relative) {
    try {
      return Path.of(Fixtures.class.getResource("/fixtures/" + relative).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("fixture " + relative + " missing from policy/src/test/resources/fixtures", e);
    }
  }

  public static JsonNode json(String relative) throws IOException {
    return new ObjectMapper().readTree(dir(relative).toFile());
  }

  public static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
    return out;
  }
}
