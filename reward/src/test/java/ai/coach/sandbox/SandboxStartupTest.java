package ai.coach.sandbox;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.coach.python.PythonEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxStartupTest {

  @Test
  void aWorkerThatCannotStartIsAClearErrorNotAnUnsandboxedRun(@TempDir Path root) throws IOException {
    PythonEnvironment real = PythonEnvironment.locate();
    Path venv = root.resolve(".venv");
    Path python = venv.resolve("bin/python");
    Files.createDirectories(python.getParent());
    Files.writeString(python, "#!/bin/sh\necho 'broken interpreter' >&2\nexit 3\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    PythonEnvironment broken = new PythonEnvironment(root, venv, python, real.basePrefix(), real.sitePackages(),
        real.jepLibrary(), real.jepVersion());
    SandboxUnavailableException e = assertThrows(SandboxUnavailableException.class,
        () -> new CodeSandbox(SandboxConfig.DEFAULTS.withPool(1, 0), broken));
    assertTrue(e.getMessage().startsWith("the sandboxed Python worker did not start"), e.getMessage());
    assertTrue(e.getMessage().endsWith("broken interpreter"), e.getMessage());
  }
}
