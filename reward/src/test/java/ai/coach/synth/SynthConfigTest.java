package ai.coach.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.config.YamlConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthConfigTest {

  static final Path SHIPPED = Path.of("../configs/synth-genprm-tiny.yaml");

  @Test
  void theShippedConfigBinds() {
    SynthConfig c = YamlConfig.read(SHIPPED, SynthConfig.class);
    assertEquals(0.8, c.labels().epsilon());
    assertEquals(16, c.monteCarlo().forFirstStep(0.05));
    assertEquals(8, c.monteCarlo().forFirstStep(0.5));
    assertEquals(4, c.monteCarlo().forFirstStep(0.95));
  }

  @Test
  void theRepairDataIsTheShippedRecipeOnItsFirstProblems() {
    SynthConfig shipped = YamlConfig.read(SHIPPED, SynthConfig.class);
    SynthConfig repair = YamlConfig.read(Path.of("../configs/synth-genprm-tiny-repair.yaml"), SynthConfig.class);
    assertEquals(shipped.problems().seed(), repair.problems().seed());
    assertTrue(repair.problems().n() < shipped.problems().n());
    assertEquals(new SynthConfig(repair.runDir(), repair.problems(), shipped.policy(), shipped.solutions(),
        shipped.monteCarlo(), shipped.labels(), shipped.critic(), repair.train()), repair);
  }

  @Test
  void errorsNameTheFileAndTheKey(@TempDir Path dir) throws Exception {
    String shipped = Files.readString(SHIPPED);
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, shipped.replace("epsilon: 0.8", "epsilon: 1.5"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> YamlConfig.read(bad, SynthConfig.class));
    assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("labels.epsilon"), e.getMessage());

    Files.writeString(bad, shipped.replace("rollouts_low:", "rollouts_lo:"));
    e = assertThrows(IllegalArgumentException.class, () -> YamlConfig.read(bad, SynthConfig.class));
    // Jackson reports either the unknown key or the required one it left unset; both point there.
    assertTrue(e.getMessage().contains("unknown key 'monte_carlo.rollouts_lo'")
        || e.getMessage().contains("key 'monte_carlo.rollouts_low' expects an integer"), e.getMessage());

    Files.writeString(bad, shipped.replace("rollouts_mid: 8", "rollouts_mid: 32"));
    e = assertThrows(IllegalArgumentException.class, () -> YamlConfig.read(bad, SynthConfig.class));
    assertTrue(e.getMessage().contains("monte_carlo.rollouts_low"), e.getMessage());
  }
}
