package ai.coach.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OutputFormatTest {

  @Test
  void shortOutputIsKeptWhole() {
    assertEquals("a\nb\n", OutputFormat.render("a\nb\n", "", 4, null, 10));
    assertEquals("a\nCode execute Error: E: m", OutputFormat.render("a", "", 1, "Code execute Error: E: m", 100));
    assertEquals("Code execute Error: E: m", OutputFormat.render("", "", 0, "Code execute Error: E: m", 100));
  }

  @Test
  void longOutputKeepsHeadAndTailAroundAMarker() {
    String all = "0123456789abcdefghij";
    assertEquals("01234\n... [output truncated: 10 characters omitted] ...\nfghij", OutputFormat.render(all, "", 20, null, 10));
  }

  @Test
  void outputCutInTheWorkerKeepsTheErrorAtTheEnd() {
    String head = "h".repeat(10);
    String tail = "t".repeat(10);
    assertEquals("hhhhh\n... [output truncated: 995 characters omitted] ...\n\nE: x",
        OutputFormat.render(head, tail, 1000, "E: x", 10));
  }
}
