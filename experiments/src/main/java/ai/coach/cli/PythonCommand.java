package ai.coach.cli;

import ai.coach.sandbox.CodeSandbox;
import ai.coach.sandbox.ExecutionResult;
import ai.coach.sandbox.SandboxConfig;
import ai.coach.sandbox.SandboxSession;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coach python ...}: run untrusted Python in the code sandbox. */
@Command(
    name = "python",
    mixinStandardHelpOptions = true,
    description = "Run Python code in the sandbox (bubblewrap, warm workers) as the critic does.",
    subcommands = {PythonCommand.Run.class, PythonCommand.Session.class})
public final class PythonCommand implements Runnable {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /** Limits shared by the subcommands. */
  static final class Limits {
    @Option(names = "--timeout", paramLabel = "S", description = "Wall-clock limit per snippet in seconds (default: ${DEFAULT-VALUE}).",
        defaultValue = "5")
    double timeoutSeconds;

    @Option(names = "--memory-mb", paramLabel = "M", description = "Memory (address space) cap in MiB (default: ${DEFAULT-VALUE}).",
        defaultValue = "1024")
    int memoryMb;

    SandboxConfig config() {
      return SandboxConfig.DEFAULTS.withTimeoutSeconds(timeoutSeconds).withMemoryMb(memoryMb).withPool(1, 0);
    }
  }

  static String resultJson(ExecutionResult result) throws JsonProcessingException {
    Map<String, String> json = new LinkedHashMap<>();
    json.put("status", result.status().jsonName());
    json.put("output", result.output());
    return JSON.writeValueAsString(json);
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Run the code on stdin in a fresh sandboxed session; print {\"status\": ..., \"output\": ...}.")
  static final class Run implements Callable<Integer> {
    @CommandLine.Mixin Limits limits = new Limits();

    @Override
    public Integer call() throws IOException {
      String code = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
      try (CodeSandbox sandbox = new CodeSandbox(limits.config());
          SandboxSession session = sandbox.openSession()) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println(resultJson(session.run(code)));
      }
      return 0;
    }
  }

  @Command(name = "session", mixinStandardHelpOptions = true,
      description = "Run JSON lines {\"code\": ...} from stdin in order in one session; print one JSON result per line.")
  static final class Session implements Callable<Integer> {
    @CommandLine.Mixin Limits limits = new Limits();

    @Override
    public Integer call() throws IOException {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
      try (CodeSandbox sandbox = new CodeSandbox(limits.config());
          SandboxSession session = sandbox.openSession()) {
        int lineNumber = 0;
        for (String line; (line = in.readLine()) != null; ) {
          lineNumber++;
          if (line.isBlank()) {
            continue;
          }
          out.println(resultJson(session.run(code(line, lineNumber))));
        }
      }
      return 0;
    }

    private static String code(String line, int lineNumber) {
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("stdin line " + lineNumber + ": not JSON (" + e.getOriginalMessage()
            + "); expected an object {\"code\": \"...\"}");
      }
      if (!node.isObject() || !node.path("code").isTextual()) {
        throw new IllegalArgumentException("stdin line " + lineNumber + ": expected an object {\"code\": \"...\"} with a string"
            + " 'code', got " + abbreviate(line));
      }
      node.fieldNames().forEachRemaining(key -> {
        if (!key.equals("code")) {
          throw new IllegalArgumentException("stdin line " + lineNumber + ": unknown key '" + key + "'; only 'code' is read");
        }
      });
      return node.get("code").asText();
    }

    private static String abbreviate(String line) {
      return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }
  }
}
