package ai.coach.sandbox;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * RLIMIT_AS caps each process, but a session may fork up to its process cap, each child with its
 * own allowance. This watch caps what a session's processes use together: it periodically sums
 * the proportional set size (shared pages split between sharers) of every process running under
 * a worker's uid, and kills the worker whose sum passes the session's memory cap.
 */
final class MemoryWatch {

  private static final Path PROC = Path.of("/proc");

  private final Map<Integer, SandboxWorker> workers = new ConcurrentHashMap<>();
  private final long limitKb;
  private final ScheduledFuture<?> task;

  MemoryWatch(long limitBytes, long periodMillis, ScheduledExecutorService timer) {
    this.limitKb = limitBytes >> 10;
    this.task = timer.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  void watch(SandboxWorker worker) {
    workers.put(worker.uid(), worker);
  }

  void forget(SandboxWorker worker) {
    workers.remove(worker.uid(), worker);
  }

  void stop() {
    task.cancel(false);
  }

  private void check() {
    if (workers.isEmpty()) {
      return;
    }
    Map<Integer, Long> usedKb = new HashMap<>();
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, entry -> entry.getFileName().toString().matches("\\d+"))) {
      for (Path pid : pids) {
        Integer uid = realUid(pid);
        if (uid != null && workers.containsKey(uid)) {
          usedKb.merge(uid, pssKb(pid), Long::sum);
        }
      }
    } catch (IOException e) {
      return;
    }
    usedKb.forEach((uid, kb) -> {
      SandboxWorker worker = workers.get(uid);
      if (kb > limitKb && worker != null) {
        worker.killForMemory(kb >> 10);
      }
    });
  }

  private static Integer realUid(Path pid) {
    try {
      for (String line : Files.readAllLines(pid.resolve("status"))) {
        if (line.startsWith("Uid:")) {
          return Integer.valueOf(line.substring(4).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process ended while being read.
    }
    return null;
  }

  private static long pssKb(Path pid) {
    try {
      List<String> lines = Files.readAllLines(pid.resolve("smaps_rollup"));
      for (String line : lines) {
        if (line.startsWith("Pss:")) {
          return Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process ended while being read.
    }
    return 0;
  }
}
