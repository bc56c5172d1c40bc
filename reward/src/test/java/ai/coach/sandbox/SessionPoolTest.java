package ai.coach.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.coach.sandbox.ExecutionResult.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SessionPoolTest {

  @Test
  void sessionsBeyondThePoolSizeWaitForAFreeSlot() throws Exception {
    try (CodeSandbox sandbox = new CodeSandbox(SandboxConfig.DEFAULTS.withPool(2, 1))) {
      SandboxSession first = sandbox.openSession();
      SandboxSession second = sandbox.openSession();
      CompletableFuture<SandboxSession> third = CompletableFuture.supplyAsync(sandbox::openSession);
      Thread.sleep(300);
      assertFalse(third.isDone(), "a third session opened while the pool of two was full");
      first.close();
      try (SandboxSession opened = third.get(20, TimeUnit.SECONDS)) {
        assertEquals("3\n", opened.run("print(1 + 2)").output());
      }
      second.close();
    }
  }

  @Test
  void closingTheSandboxEndsItsOpenSessions() throws Exception {
    CodeSandbox sandbox = new CodeSandbox(SandboxConfig.DEFAULTS.withPool(1, 0));
    SandboxSession session = sandbox.openSession();
    assertEquals("ok\n", session.run("import subprocess\nsubprocess.Popen(['sleep', '313'])\nprint('ok')").output());
    sandbox.close();
    assertThrows(IllegalStateException.class, () -> session.run("print('no timer enforces limits now')"));
    session.close();
    for (int i = 0; i < 100 && !HostileCodeTest.processesWithArgs("sleep", "313").isEmpty(); i++) {
      Thread.sleep(50);
    }
    assertEquals(List.of(), HostileCodeTest.processesWithArgs("sleep", "313"));
  }

  @Test
  void aSlowSnippetDoesNotHoldUpOtherSessions() throws Exception {
    try (CodeSandbox sandbox = new CodeSandbox(SandboxConfig.DEFAULTS.withPool(4, 2))) {
      SandboxSession slow = sandbox.openSession();
      CompletableFuture<ExecutionResult> sleeping =
          CompletableFuture.supplyAsync(() -> slow.run("import time\ntime.sleep(3)\nprint('woke')"));
      List<String> outputs = new ArrayList<>();
      try (SandboxSession quick = sandbox.openSession()) {
        for (int i = 0; i < 10; i++) {
          outputs.add(quick.run("print(" + i + " * 2)").output());
        }
      }
      assertFalse(sleeping.isDone(), "the quick session waited for the slow one");
      assertEquals("18\n", outputs.get(9));
      ExecutionResult woke = sleeping.get(20, TimeUnit.SECONDS);
      assertEquals(Status.OK, woke.status());
      assertEquals("woke\n", woke.output());
      slow.close();
    }
  }
}
