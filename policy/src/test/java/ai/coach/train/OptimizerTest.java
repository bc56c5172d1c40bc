package ai.coach.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class OptimizerTest {

  /** AdamW on the flat buffer against the textbook update written out per scalar. */
  @Test
  void adamWMatchesTheScalarUpdateAndSkipsDecayOnNorms() {
    ParameterSet.Layout layout = new ParameterSet.Layout().add("w", true, 2, 2).add("norm.weight", false, 3);
    try (ParameterSet p = new ParameterSet(layout, DataType.DOUBLE);
        AdamW opt = new AdamW(p, 0.9, 0.95, 1e-8, 0.1)) {
      double[] theta = {0.5, -1.0, 2.0, 0.1, 1.0, 1.0, 1.0};
      boolean[] decay = {true, true, true, true, false, false, false};
      double[] m = new double[7];
      double[] v = new double[7];
      p.values().assign(org.nd4j.linalg.factory.Nd4j.createFromArray(theta));
      double lr = 0.01;
      for (int t = 1; t <= 3; t++) {
        double[] g = new double[7];
        for (int i = 0; i < 7; i++) g[i] = Math.sin(i + t) * (i + 1);
        p.grads().assign(org.nd4j.linalg.factory.Nd4j.createFromArray(g));
        opt.step(lr);
        for (int i = 0; i < 7; i++) {
          if (decay[i]) theta[i] -= lr * 0.1 * theta[i];
          m[i] = 0.9 * m[i] + 0.1 * g[i];
          v[i] = 0.95 * v[i] + 0.05 * g[i] * g[i];
          double mh = m[i] / (1 - Math.pow(0.9, t));
          double vh = v[i] / (1 - Math.pow(0.95, t));
          theta[i] -= lr * mh / (Math.sqrt(vh) + 1e-8);
        }
      }
      for (int i = 0; i < 7; i++) assertEquals(theta[i], p.values().getDouble(i), 1e-12, "parameter " + i);
    }
  }

  @Test
  void scheduleWarmsUpLinearlyThenDecaysByCosineToTheFloor() {
    LrSchedule s = new LrSchedule(1.0, 10, 110, 0.1);
    assertEquals(0.1, s.at(1), 1e-12);
    assertEquals(1.0, s.at(10), 1e-12);
    assertEquals(0.55, s.at(60), 1e-12);
    assertEquals(0.1, s.at(110), 1e-12);
    assertEquals(0.1, s.at(500), 1e-12);
  }
}
