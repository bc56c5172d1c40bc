package ai.coach.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a benchmark ran on, printed with every result so figures are never quoted bare. */
public final class Machine {

  private Machine() {}

  public static String describe() {
    String cpu = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException ignored) {
      // Not Linux: the core count below still says something.
    }
    long memGb = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal")) memGb = Long.parseLong(line.replaceAll("\\D", "")) / 1024 / 1024;
      }
    } catch (IOException ignored) {
      // As above.
    }
    return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + memGb + " GiB, Java "
        + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch");
  }

  /** Peak resident set size of this process in MiB (VmHWM), or -1 off Linux. */
  public static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    } catch (IOException ignored) {
      // Off Linux there is no cheap portable peak; report unknown.
    }
    return -1;
  }
}
