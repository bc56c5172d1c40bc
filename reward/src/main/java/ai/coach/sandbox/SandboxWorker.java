package ai.coach.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** One sandboxed Python process ({@code worker.py} under bubblewrap) serving one session. */
final class SandboxWorker {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final DataOutputStream requests;
  private final DataInputStream replies;
  private final int uid;
  private final int maxReplyBytes;
  private volatile boolean timedOut;
  private volatile long memoryExceededMb = -1;

  private SandboxWorker(Process process, int uid, int maxOutputChars) {
    this.process = process;
    this.uid = uid;
    this.requests = new DataOutputStream(process.getOutputStream());
    this.replies = new DataInputStream(process.getInputStream());
    // Head and tail of at most maxOutputChars each, every char at most a 6-byte JSON escape.
    this.maxReplyBytes = 12 * maxOutputChars + 1_000_000;
  }

  /** Starts the process and waits until numpy and sympy are imported and privileges dropped. */
  static SandboxWorker start(List<String> command, int uid, int maxOutputChars) {
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new SandboxUnavailableException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    SandboxWorker worker = new SandboxWorker(process, uid, maxOutputChars);
    try {
      JsonNode hello = worker.readReply();
      if (!hello.path("ready").asBoolean()) {
        throw new IOException("unexpected first message " + hello);
      }
      process.getErrorStream().close();
      return worker;
    } catch (IOException e) {
      // Read before killing: destroying a Process closes its streams.
      String stderr = worker.stderr();
      worker.kill();
      throw new SandboxUnavailableException(
          "the sandboxed Python worker did not start (" + e.getMessage() + "), and code is never run"
              + " without the sandbox; bubblewrap needs root or unprivileged user namespaces (docs/sandbox.md)"
              + (stderr.isBlank() ? "" : ". Its error output:\n" + stderr.strip()),
          e);
    }
  }

  int uid() {
    return uid;
  }

  /**
   * Runs one snippet. A snippet that outlives {@code timeoutMillis} gets the whole process
   * killed from here; so does one that breaks the protocol.
   */
  ExecutionResult execute(String code, long timeoutMillis, int maxOutputChars, ScheduledExecutorService timer) {
    ObjectNode request = JSON.createObjectNode().put("code", code).put("limit", maxOutputChars);
    ScheduledFuture<?> deadline = timer.schedule(() -> {
      timedOut = true;
      kill();
    }, timeoutMillis, TimeUnit.MILLISECONDS);
    JsonNode reply;
    try {
      byte[] body = JSON.writeValueAsBytes(request);
      requests.writeInt(body.length);
      requests.write(body);
      requests.flush();
      reply = readReply();
      if (!reply.has("total") || !reply.path("head").isTextual() || !reply.path("tail").isTextual()) {
        throw new IOException("malformed reply");
      }
    } catch (IOException e) {
      deadline.cancel(false);
      kill();
      if (timedOut) {
        return new ExecutionResult(ExecutionResult.Status.TIMEOUT,
            "Code execute time out: the code ran past the " + seconds(timeoutMillis) + " s time limit", false);
      }
      if (memoryExceededMb >= 0) {
        return new ExecutionResult(ExecutionResult.Status.KILLED,
            "Code execute Error: MemoryError: the code's processes used " + memoryExceededMb
                + " MiB together, over the session's memory cap, and were killed; its namespace is gone", false);
      }
      return new ExecutionResult(ExecutionResult.Status.KILLED,
          OutputFormat.cut("Code execute Error: ProcessDied: the Python process running the code ended"
              + exitDescription() + "; its namespace is gone", maxOutputChars), false);
    }
    deadline.cancel(false);
    if (timedOut) {
      kill();
      return new ExecutionResult(ExecutionResult.Status.TIMEOUT,
          "Code execute time out: the code ran past the " + seconds(timeoutMillis) + " s time limit", false);
    }
    String error = reply.path("error").isTextual() ? reply.get("error").asText() : null;
    String output = OutputFormat.render(
        reply.get("head").asText(), reply.get("tail").asText(), reply.get("total").asLong(), error, maxOutputChars);
    return new ExecutionResult(error == null ? ExecutionResult.Status.OK : ExecutionResult.Status.ERROR, output, false);
  }

  private static String seconds(long millis) {
    return millis % 1000 == 0 ? Long.toString(millis / 1000) : Double.toString(millis / 1000.0);
  }

  private String exitDescription() {
    try {
      if (process.waitFor(2, TimeUnit.SECONDS)) {
        return " (exit status " + process.exitValue() + ")";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "";
  }

  private JsonNode readReply() throws IOException {
    int length;
    try {
      length = replies.readInt();
    } catch (EOFException e) {
      throw new IOException("the worker process exited", e);
    }
    if (length < 0 || length > maxReplyBytes) {
      throw new IOException("reply length " + length + " out of range");
    }
    byte[] body = replies.readNBytes(length);
    if (body.length != length) {
      throw new IOException("the worker process exited mid-reply");
    }
    return JSON.readTree(body);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Called by {@link MemoryWatch} when the session's processes together pass the memory cap. */
  void killForMemory(long usedMb) {
    memoryExceededMb = usedMb;
    kill();
  }

  /**
   * Kills bubblewrap and everything under it. bwrap's pid namespace already takes every process
   * of the session down with its init; killing the descendants first makes that independent of
   * bwrap's own reaping.
   */
  void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Waits until the process is gone, so its uid can be handed to a new worker. */
  void awaitExit() {
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String stderr() {
    try {
      process.waitFor(2, TimeUnit.SECONDS);
      byte[] bytes = process.getErrorStream().readNBytes(8192);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
