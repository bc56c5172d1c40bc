package ai.coach.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonEnvironmentTest {

  @Test
  void findsTheProjectVenvAndItsJep() {
    PythonEnvironment env = PythonEnvironment.locate();
    assertTrue(Files.isRegularFile(env.jepLibrary()));
    assertEquals("4.2.2", env.jepVersion());
    assertTrue(Files.isDirectory(env.basePrefix().resolve("lib")));
  }

  @Test
  void missingVenvNamesTheFix(@TempDir Path root) {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> PythonEnvironment.at(root));
    assertTrue(e.getMessage().contains("no Python venv at " + root.resolve(".venv")), e.getMessage());
    assertTrue(e.getMessage().contains("bin/coach"), e.getMessage());
  }

  @Test
  void venvWithoutJepNamesTheFix(@TempDir Path root) throws IOException {
    fakeVenv(root);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> PythonEnvironment.at(root));
    assertTrue(e.getMessage().startsWith("Jep is not installed in"), e.getMessage());
    assertTrue(e.getMessage().contains("bin/coach"), e.getMessage());
  }

  @Test
  void mismatchedJepVersionNamesBothVersionsAndTheFix(@TempDir Path root) throws IOException {
    Path jep = fakeVenv(root).resolve("jep");
    Files.createDirectories(jep);
    Files.writeString(jep.resolve("libjep.so"), "");
    Files.writeString(jep.resolve("version.py"), "__VERSION__ = '4.1.1'\nVERSION = __VERSION__\n");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> PythonEnvironment.at(root));
    assertEquals("Jep version mismatch: the venv has jep 4.1.1 but the Java classes are jep 4.2.2; pin jep==4.2.2 in"
        + " python/requirements.txt (or change jep.version in pom.xml) and run bin/coach to rebuild the venv", e.getMessage());
  }

  /** A venv layout without packages; returns its site-packages. */
  private static Path fakeVenv(Path root) throws IOException {
    Path real = PythonEnvironment.locate().basePrefix();
    Path venv = root.resolve(".venv");
    Files.createDirectories(venv.resolve("bin"));
    Files.writeString(venv.resolve("pyvenv.cfg"), "home = " + real.resolve("bin") + "\nversion = 3.11.7\n");
    Path python = Files.writeString(venv.resolve("bin/python"), "");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    return Files.createDirectories(venv.resolve("lib/python3.11/site-packages"));
  }
}
