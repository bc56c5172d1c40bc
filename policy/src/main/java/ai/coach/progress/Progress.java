package ai.coach.progress;

import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars for work that resumes from its files. */
public final class Progress {

  private Progress() {}

  /**
   * A bar over {@code total} units, {@code done} of them finished by an earlier run. It starts
   * there (startsFrom, not stepTo), so speed and time left count only this run's work.
   */
  public static ProgressBar resumed(String task, long total, long done, String unit) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(total).startsFrom(done, Duration.ZERO)
        .setStyle(ProgressBarStyle.ASCII).setUnit(unit, 1).showSpeed().continuousUpdate().build();
  }
}
