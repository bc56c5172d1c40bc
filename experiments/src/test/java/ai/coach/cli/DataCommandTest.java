package ai.coach.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.testbed.ArithmeticGenerator;
import ai.coach.testbed.ArithmeticProblem;
import ai.coach.testbed.JsonLines;
import ai.coach.testbed.ProcessBenchItem;
import ai.coach.testbed.Split;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCommandTest {

  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = new CommandLine(new DataCommand());
    cmd.setErr(new PrintWriter(err, true));
    cmd.setOut(new PrintWriter(new StringWriter(), true));
    return cmd.execute(args);
  }

  @Test
  void problemsWritesTheRequestedSplit() {
    Path out = dir.resolve("dev.jsonl");
    assertEquals(0, run("problems", "--task", "arithmetic", "--split", "dev", "--n", "25", "--seed", "3", "--out", out.toString()));
    List<ArithmeticProblem> read = JsonLines.read(out, ArithmeticProblem.class);
    assertEquals(new ArithmeticGenerator(3, Split.DEV).generate(25), read);
  }

  @Test
  void processBenchWritesLabelledItems() {
    Path out = dir.resolve("nested/pb.jsonl");
    assertEquals(0, run("processbench", "--task", "arithmetic", "--n", "40", "--seed", "1", "--out", out.toString()));
    List<ProcessBenchItem> items = JsonLines.read(out, ProcessBenchItem.class);
    assertEquals(40, items.size());
    assertTrue(items.stream().anyMatch(i -> i.label() == -1));
    assertTrue(items.stream().anyMatch(i -> i.label() >= 0));
    assertTrue(err.toString().contains("wrote 40 items"), err.toString());
  }

  @Test
  void corpusWritesText() throws Exception {
    Path out = dir.resolve("corpus.txt");
    assertEquals(0, run("corpus", "--task", "arithmetic", "--n", "5", "--seed", "1", "--out", out.toString()));
    String text = Files.readString(out);
    assertTrue(text.contains("**Judgement**: $\\boxed{"), text);
    assertTrue(text.contains("Step 1: "), text);
  }

  @Test
  void badArgumentsAreNamed() {
    String out = dir.resolve("x.jsonl").toString();
    assertError("unknown --task 'gsm8k'; known tasks: arithmetic",
        "problems", "--task", "gsm8k", "--split", "train", "--n", "5", "--out", out);
    assertError("'validation' is not a split; expected train, dev or test",
        "problems", "--task", "arithmetic", "--split", "validation", "--n", "5", "--out", out);
    assertError("--n must be a positive count, got 0",
        "processbench", "--task", "arithmetic", "--n", "0", "--out", out);
    assertError("Missing required option: '--split=<split>'",
        "problems", "--task", "arithmetic", "--n", "5", "--out", out);
    assertError("Invalid value for option '--n': 'ten' is not an int",
        "problems", "--task", "arithmetic", "--split", "dev", "--n", "ten", "--out", out);
    assertError("is a directory; give a file",
        "problems", "--task", "arithmetic", "--split", "dev", "--n", "3", "--out", dir.toString());
    assertFalse(Files.exists(Path.of(out)), "nothing is written on bad arguments");
  }

  private void assertError(String expected, String... args) {
    err.getBuffer().setLength(0);
    assertEquals(2, run(args), String.join(" ", args));
    assertTrue(err.toString().contains(expected), "expected '" + expected + "' in: " + err);
  }
}
