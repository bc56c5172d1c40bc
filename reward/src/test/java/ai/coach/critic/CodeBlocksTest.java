package ai.coach.critic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CodeBlocksTest {

  @Test
  void theLastCompleteBlockIsRunStripped() {
    String turn = "```python\na = 1\n```\n[Code Output]\n\n```\n1\n```\nNow:\n```python\n\n  b = a + 1\nprint(b)  \n```\n";
    assertEquals("b = a + 1\nprint(b)", CodeBlocks.last(turn));
  }

  @Test
  void anUnclosedBlockIsNotCodeSoTheEarlierOneRuns() {
    String turn = "```python\nx = 2\n```\n[Code Output]\n\n```\n\n```\n```python\nprint(x";
    assertEquals("x = 2", CodeBlocks.last(turn));
    assertNull(CodeBlocks.last("```python\nprint(1)"));
    assertNull(CodeBlocks.last("no code here"));
  }
}
