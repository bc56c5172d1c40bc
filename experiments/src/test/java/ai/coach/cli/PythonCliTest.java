package ai.coach.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The exact stdin/stdout contract of {@code coach python ...} and {@code coach grade}, which other tools rely on. */
class PythonCliTest {

  private record Outcome(int exitCode, String out, String err) {}

  private static Outcome run(String stdin, String... args) {
    InputStream originalIn = System.in;
    PrintStream originalOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      CommandLine cli = new CommandLine(new Main());
      cli.setErr(new PrintWriter(err, true));
      cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
        cmd.getErr().println("coach: " + e.getMessage());
        return 1;
      });
      int code = cli.execute(args);
      return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setIn(originalIn);
      System.setOut(originalOut);
    }
  }

  @Test
  void runPrintsOneJsonObjectAndExitsZeroWhateverTheCodeDid() {
    assertEquals(new Outcome(0, "{\"status\":\"ok\",\"output\":\"2\\n\"}\n", ""), run("print(1 + 1)", "python", "run"));
    assertEquals(new Outcome(0, "{\"status\":\"timeout\",\"output\":\"Code execute time out: the code ran past the 0.5 s time limit\"}\n", ""),
        run("while True:\n    pass", "python", "run", "--timeout", "0.5"));
    Outcome error = run("raise ValueError('bad')", "python", "run", "--memory-mb", "512");
    assertEquals("{\"status\":\"error\",\"output\":\"Code execute Error: ValueError: bad\"}\n", error.out());
  }

  @Test
  void sessionRunsJsonLinesInOneNamespace() {
    Outcome outcome = run("{\"code\": \"x = 20\"}\n\n{\"code\": \"print(x + 1)\"}\n", "python", "session");
    assertEquals(0, outcome.exitCode());
    assertEquals("{\"status\":\"ok\",\"output\":\"\"}\n{\"status\":\"ok\",\"output\":\"21\\n\"}\n", outcome.out());
  }

  @Test
  void sessionRejectsALineThatIsNotACodeObject() {
    Outcome outcome = run("{\"code\": \"x = 1\"}\n[1, 2]\n", "python", "session");
    assertEquals(1, outcome.exitCode());
    assertTrue(outcome.err().contains("stdin line 2: expected an object {\"code\": \"...\"}"), outcome.err());
    Outcome extraKey = run("{\"code\": \"x = 1\", \"timeout\": 3}\n", "python", "session");
    assertTrue(extraKey.err().contains("stdin line 1: unknown key 'timeout'"), extraKey.err());
  }

  @Test
  void gradePrintsWhetherTheAnswersAreEqual() {
    assertEquals(new Outcome(0, "{\"equal\":true}\n", ""), run("", "grade", "--pred", "so \\boxed{\\dfrac{1}{2}}", "--gold", "0.5"));
    assertEquals(new Outcome(0, "{\"equal\":false}\n", ""), run("", "grade", "--pred", "\\boxed{3}", "--gold", "4"));
  }
}
