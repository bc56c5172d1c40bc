package ai.coach.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.sandbox.ExecutionResult.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each case runs hostile code, then shows that the runner survived and the next snippet works. */
class HostileCodeTest {

  private static CodeSandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = new CodeSandbox(SandboxConfig.DEFAULTS.withTimeoutSeconds(2).withPool(8, 2));
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  /** The next snippet in the same session works; if the process was replaced, it says so. */
  private static void assertRecovers(SandboxSession session, boolean replaced) {
    ExecutionResult next = session.run("print(6 * 7)");
    assertEquals(Status.OK, next.status(), next.output());
    assertEquals(replaced, next.freshNamespace(), next.output());
    assertEquals(replaced ? OutputFormat.RESTART_NOTE + "42\n" : "42\n", next.output());
    ExecutionResult after = session.run("print('still fine')");
    assertEquals("still fine\n", after.output());
    assertFalse(after.freshNamespace());
  }

  @Test
  void sharesOneNamespaceAndFormatsErrorsLikeGenPrm() {
    try (SandboxSession session = sandbox.openSession()) {
      assertEquals(Status.OK, session.run("import sympy\nx = sympy.Rational(1, 3) + sympy.Rational(1, 6)").status());
      assertEquals("1/2\n", session.run("print(x)").output());
      ExecutionResult error = session.run("print('before')\n1/0");
      assertEquals(Status.ERROR, error.status());
      assertEquals("before\nCode execute Error: ZeroDivisionError: division by zero", error.output());
      assertEquals("Code execute Error: NameError: name 'undefined_name' is not defined",
          session.run("undefined_name").output());
      assertEquals("err\n", session.run("import sys\nprint('err', file=sys.stderr)").output());
      assertEquals("1/2\n", session.run("print(x)").output());
    }
  }

  @Test
  void infiniteLoopTimesOut() {
    try (SandboxSession session = sandbox.openSession()) {
      session.run("x = 1");
      ExecutionResult result = session.run("while True:\n    pass");
      assertEquals(Status.TIMEOUT, result.status());
      assertEquals("Code execute time out: the code ran past the 2 s time limit", result.output());
      assertRecovers(session, true);
      ExecutionResult gone = session.run("print(x)");
      assertEquals("Code execute Error: NameError: name 'x' is not defined", gone.output());
    }
  }

  @Test
  void sleepPastTheTimeoutTimesOut() {
    try (SandboxSession session = sandbox.openSession()) {
      ExecutionResult result = session.run("import time\nprint('started')\ntime.sleep(60)");
      assertEquals(Status.TIMEOUT, result.status());
      assertRecovers(session, true);
    }
  }

  @Test
  void memoryBombFailsInsideTheSession() {
    // Its own sandbox: filling the default cap in 100 MB chunks can take past the shared 2 s limit
    // when other jobs load the machine, and this test is about the cap, not the clock.
    try (CodeSandbox small = new CodeSandbox(SandboxConfig.DEFAULTS.withMemoryMb(512).withTimeoutSeconds(20).withPool(1, 0));
        SandboxSession session = small.openSession()) {
      session.run("kept = 'yes'");
      ExecutionResult big = session.run("block = bytearray(4 << 30)");
      assertEquals(Status.ERROR, big.status());
      assertEquals("Code execute Error: MemoryError: ", big.output());
      ExecutionResult growing = session.run("chunks = []\nwhile True:\n    chunks.append(bytearray(10**8))");
      assertEquals(Status.ERROR, growing.status(), growing.output());
      assertTrue(growing.output().startsWith("Code execute Error: MemoryError"), growing.output());
      session.run("chunks = None");
      assertEquals("yes\n", session.run("print(kept)").output());
      assertRecovers(session, false);
    }
  }

  @Test
  void forkedChildrenShareOneMemoryCap() {
    try (CodeSandbox small = new CodeSandbox(SandboxConfig.DEFAULTS.withMemoryMb(512).withTimeoutSeconds(20).withPool(1, 0));
        SandboxSession session = small.openSession()) {
      ExecutionResult one = session.run("block = bytearray(b'1') * (200 << 20)\nprint(len(block) >> 20)\ndel block");
      assertEquals("200\n", one.output(), "one process stays under the cap");
      ExecutionResult many = session.run(String.join("\n",
          "import os, time",
          "for _ in range(4):",
          "    if os.fork() == 0:",
          "        block = bytearray(b'1') * (200 << 20)",
          "        time.sleep(30)",
          "        os._exit(0)",
          "for _ in range(4):",
          "    os.wait()"));
      assertEquals(Status.KILLED, many.status(), many.output());
      assertTrue(many.output().startsWith("Code execute Error: MemoryError: the code's processes used "), many.output());
      assertRecovers(session, true);
    }
  }

  @Test
  void childProcessesDieWithTheSession() throws Exception {
    SandboxSession session = sandbox.openSession();
    ExecutionResult spawn = session.run(String.join("\n",
        "import os, subprocess",
        "subprocess.Popen(['sleep', '311'])",
        "if os.fork() == 0:",
        "    os.setsid()",
        "    os.execv('/bin/sleep', ['sleep', '312'])",
        "print('spawned')"));
    assertEquals("spawned\n", spawn.output());
    assertRecovers(session, false);
    assertTrue(waitFor(() -> !processesWithArgs("sleep", "311").isEmpty() && !processesWithArgs("sleep", "312").isEmpty()),
        "the children should be running while the session is open");
    session.close();
    assertTrue(waitFor(() -> processesWithArgs("sleep", "311").isEmpty() && processesWithArgs("sleep", "312").isEmpty()),
        "children outlived their session");
  }

  @Test
  void forkBombHitsTheProcessCap() {
    try (SandboxSession session = sandbox.openSession()) {
      ExecutionResult result = session.run("import os\nwhile True:\n    os.fork()");
      assertEquals(Status.ERROR, result.status(), result.output());
      assertTrue(result.output().startsWith("Code execute Error: BlockingIOError"), result.output());
      assertRecovers(session, false);
    }
  }

  @Test
  void cannotSignalItsParentsAndKillingItselfOnlyEndsTheSessionProcess() {
    try (SandboxSession session = sandbox.openSession()) {
      ExecutionResult parent = session.run("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)");
      assertEquals("Code execute Error: PermissionError: [Errno 1] Operation not permitted", parent.output());
      ExecutionResult init = session.run("os.kill(1, signal.SIGKILL)");
      assertEquals(Status.ERROR, init.status());
      ExecutionResult everyone = session.run("os.kill(-1, signal.SIGKILL)");
      assertEquals("Code execute Error: ProcessLookupError: [Errno 3] No such process", everyone.output(),
          "kill(-1) reaches no process outside the session's own uid");
      ExecutionResult self = session.run("os.kill(os.getpid(), signal.SIGKILL)");
      assertEquals(Status.KILLED, self.status(), self.output());
      assertTrue(self.output().startsWith("Code execute Error: ProcessDied: "), self.output());
      assertRecovers(session, true);
    }
    try (SandboxSession session = sandbox.openSession()) {
      assertRecovers(session, false);
    }
  }

  @Test
  void writesOnlyToItsOwnScratchDirectory(@TempDir Path hostDir) throws IOException {
    Path target = hostDir.resolve("escaped");
    try (SandboxSession session = sandbox.openSession()) {
      for (String path : List.of(target.toString(), "/usr/escaped", "/etc/escaped", "/escaped", "/proc/escaped")) {
        ExecutionResult result = session.run("open('" + path + "', 'w').write('x')");
        assertEquals(Status.ERROR, result.status(), path + ": " + result.output());
      }
      assertEquals(Status.OK, session.run("open('/scratch/note', 'w').write('mine')").status());
      assertEquals("mine\n", session.run("print(open('/scratch/note').read())").output());
      ExecutionResult big = session.run("open('big', 'wb').write(b'0' * (32 << 20))");
      assertEquals(Status.ERROR, big.status(), "file size cap");
      assertRecovers(session, false);
    }
    assertFalse(Files.exists(target));
    try (Stream<Path> files = Files.list(hostDir)) {
      assertEquals(0, files.count());
    }
    try (SandboxSession next = sandbox.openSession()) {
      assertEquals("[]\n", next.run("import os\nprint(os.listdir('/scratch'))").output(),
          "a new session starts with an empty scratch directory");
    }
  }

  @Test
  void cannotReachServersOnTheHostLoopback() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        SandboxSession session = sandbox.openSession()) {
      ExecutionResult result = session.run(
          "import socket\nsocket.create_connection(('127.0.0.1', " + server.getLocalPort() + "), timeout=1)");
      assertEquals(Status.ERROR, result.status(), result.output());
      assertTrue(result.output().contains("ConnectionRefusedError") || result.output().contains("OSError"), result.output());
      server.setSoTimeout(200);
      assertThrows(server);
      assertRecovers(session, false);
    }
  }

  private static void assertThrows(ServerSocket server) throws IOException {
    try {
      server.accept().close();
      throw new AssertionError("the sandbox reached a server on the host's loopback");
    } catch (SocketTimeoutException expected) {
      // Nothing connected.
    }
  }

  @Test
  void seesNoneOfTheParentsEnvironment() {
    try (SandboxSession session = sandbox.openSession()) {
      String output = session.run("import os\nprint(' '.join(sorted(os.environ)))").output();
      assertEquals(Set.of("HOME", "PWD", "LANG", "MKL_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "PATH", "TMPDIR"),
          Set.of(output.strip().split(" ")));
      ExecutionResult proc = session.run("print(open('/proc/1/environ').read())");
      assertEquals(Status.ERROR, proc.status(), proc.output());
      String pids = session.run("print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))").output();
      assertTrue(pids.matches("\\[1, 2(, \\d+)*]\\n"), "only the sandbox's own processes are visible: " + pids);
      assertRecovers(session, false);
    }
  }

  @Test
  void hugeOutputIsCutWithAVisibleMarker() {
    try (SandboxSession session = sandbox.openSession()) {
      ExecutionResult one = session.run("print('x' * 10_000_000)\nraise ValueError('late')");
      assertEquals(Status.ERROR, one.status());
      assertTrue(one.output().length() < 8100, "length " + one.output().length());
      assertTrue(one.output().contains("... [output truncated: "), one.output().substring(3900, 4100));
      assertTrue(one.output().endsWith("x\nCode execute Error: ValueError: late"));
      ExecutionResult many = session.run("for i in range(300_000):\n    print(i)");
      assertEquals(Status.OK, many.status());
      assertTrue(many.output().startsWith("0\n1\n2\n"));
      assertTrue(many.output().endsWith("299998\n299999\n"));
      assertTrue(many.output().length() < 8100);
      assertRecovers(session, false);
    }
  }

  @Test
  void sysExitIsAnError() {
    try (SandboxSession session = sandbox.openSession()) {
      session.run("kept = 1");
      assertEquals("Code execute Error: SystemExit: 3", session.run("import sys\nsys.exit(3)").output());
      assertEquals("Code execute Error: KeyboardInterrupt: ", session.run("raise KeyboardInterrupt").output());
      assertEquals("1\n", session.run("print(kept)").output());
      ExecutionResult hardExit = session.run("import os\nos._exit(0)");
      assertEquals(Status.KILLED, hardExit.status());
      assertRecovers(session, true);
    }
  }

  @Test
  void segfaultThroughCtypesKillsOnlyTheWorker() {
    try (SandboxSession session = sandbox.openSession()) {
      ExecutionResult result = session.run("import ctypes\nctypes.string_at(0)");
      assertEquals(Status.KILLED, result.status(), result.output());
      assertRecovers(session, true);
    }
  }

  @Test
  void deepRecursion() {
    try (SandboxSession session = sandbox.openSession()) {
      ExecutionResult bounded = session.run("def down(n):\n    return down(n + 1)\ndown(0)");
      assertEquals(Status.ERROR, bounded.status());
      assertTrue(bounded.output().startsWith("Code execute Error: RecursionError: maximum recursion depth exceeded"));
      assertRecovers(session, false);
      ExecutionResult unbounded = session.run("import sys\nsys.setrecursionlimit(10**8)\ndown(0)");
      assertTrue(Set.of(Status.ERROR, Status.KILLED, Status.TIMEOUT).contains(unbounded.status()), unbounded.output());
      assertRecovers(session, unbounded.status() != Status.ERROR);
    }
  }

  @Test
  void threadsLeftRunningDoNotBlockLaterSnippets() {
    try (SandboxSession session = sandbox.openSession()) {
      ExecutionResult started = session.run(String.join("\n",
          "import threading",
          "def spin():",
          "    while True:",
          "        pass",
          "for _ in range(3):",
          "    threading.Thread(target=spin).start()",
          "print('left running')"));
      assertEquals("left running\n", started.output());
      assertRecovers(session, false);
      assertEquals("3\n", session.run("print(sum(1 for t in threading.enumerate() if t.name != 'MainThread'))").output());
    }
  }

  @Test
  void cpuTimeIsCapped() {
    try (CodeSandbox tight = new CodeSandbox(SandboxConfig.DEFAULTS.withCpuSeconds(1).withTimeoutSeconds(5).withPool(1, 0));
        SandboxSession session = tight.openSession()) {
      ExecutionResult result = session.run("while True:\n    pass");
      assertEquals(Status.KILLED, result.status(), result.output());
      assertRecovers(session, true);
    }
  }

  private interface Condition {
    boolean holds() throws IOException;
  }

  private static boolean waitFor(Condition condition) throws Exception {
    for (int i = 0; i < 100; i++) {
      if (condition.holds()) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** Host pids whose command line is exactly {@code args}. */
  static List<Long> processesWithArgs(String... args) throws IOException {
    String wanted = String.join("\0", args) + "\0";
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
          .filter(p -> {
            try {
              return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).equals(wanted);
            } catch (IOException e) {
              return false;
            }
          })
          .map(p -> Long.parseLong(p.getFileName().toString()))
          .toList();
    }
  }
}
