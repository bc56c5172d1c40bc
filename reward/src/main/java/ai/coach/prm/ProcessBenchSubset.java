package ai.coach.prm;

import java.nio.file.Path;
import java.util.List;

/** The items of one data file; ProcessBench reports each file (gsm8k, math, ...) separately. */
public record ProcessBenchSubset(String name, Path file, List<ProcessBenchItem> items) {

  public ProcessBenchSubset {
    items = List.copyOf(items);
  }

  public ProcessBenchSubset limit(int n) {
    return n >= items.size() ? this : new ProcessBenchSubset(name, file, items.subList(0, n));
  }
}
