package ai.coach.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RelativeProgressTest {

  @Test
  void labelsFollowTheRatioToThePreviousStep() {
    // pass rate 0.5; step 1 keeps it (1.0), step 2 loses a third (0.67 < 0.8), step 3 regains.
    RelativeProgress.StepLabels l = RelativeProgress.label(0.5, List.of(0.5, 0.33, 0.3, 1.0), 0.8);
    assertEquals(List.of(true, false, true, true), l.rpe());
    assertEquals(List.of(true, true, true, true), l.hard());
    assertEquals(1.0, l.progress().get(0), 1e-12);
    assertEquals(0.66, l.progress().get(1), 1e-12);
  }

  @Test
  void everyStepAfterAZeroIsBad() {
    RelativeProgress.StepLabels l = RelativeProgress.label(0.25, List.of(0.5, 0.0, 0.5, 1.0), 0.8);
    assertEquals(List.of(true, false, false, false), l.rpe());
    assertEquals(List.of(true, false, false, false), l.hard());
  }

  @Test
  void epsilonIsInclusive() {
    assertEquals(List.of(true), RelativeProgress.label(0.5, List.of(0.4), 0.8).rpe());
    assertEquals(List.of(false), RelativeProgress.label(0.5, List.of(0.39), 0.8).rpe());
  }
}
