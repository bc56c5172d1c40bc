package ai.coach.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RLIMIT_AS caps each process, but a session may fork up to its process cap, each child with its
 * own allowance. This watch caps what a session's processes use together: it periodically sums
 * the proportional set size (shared pages split between sharers) of every process running under
 * a worker's uid, and kills the worker whose sum passes the session's memory cap.
 *
 * <p>A scan reads every process's status on the machine (several ms), so it runs at the full
 * rate only while some snippet is running, and once a second otherwise (children a snippet left
 * running keep being counted). Warm workers are not watched: one process under RLIMIT_AS.
 */
final class MemoryWatch {

  private static final Path PROC = Path.of("/proc");
  private static final long IDLE_PERIOD_NANOS = 1_000_000_000L;

  private final Map<Integer, SandboxWorker> workers = new ConcurrentHashMap<>();
  private final long limitKb;
  private final ScheduledFuture<?> task;
  private final AtomicInteger busy = new AtomicInteger();
  private long lastScanNanos;

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

  /** Marks a snippet running (scans at the full rate) until the returned handle is closed. */
  Running running() {
    busy.incrementAndGet();
    return busy::decrementAndGet;
  }

  /** The scope of one running snippet. */
  interface Running extends AutoCloseable {
    @Override
    void close();
  }

  void stop() {
    task.cancel(false);
  }

  private void check() {
    long now = System.nanoTime();
    if (workers.isEmpty() || (busy.get() == 0 && now - lastScanNanos < IDLE_PERIOD_NANOS)) {
      return;
    }
    lastScanNanos = now;
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

  /** The real uid from the head of /proc/PID/status, where the Uid line always is. */
  private static Integer realUid(Path pid) {
    byte[] head = new byte[1024];
    int length;
    try (InputStream in = Files.newInputStream(pid.resolve("status"))) {
      length = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      return null;
    }
    String text = new String(head, 0, length, StandardCharsets.US_ASCII);
    int at = text.indexOf("\nUid:");
    if (at < 0) {
      return null;
    }
    int start = at + 5;
    while (start < text.length() && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    int end = start;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    return end > start ? Integer.valueOf(text.substring(start, end)) : null;
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
