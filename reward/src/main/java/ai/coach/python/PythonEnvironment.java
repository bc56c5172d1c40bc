package ai.coach.python;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The project's Python venv ({@code .venv} at the repository root, created by {@code bin/coach}
 * from {@code python/requirements.txt}) and what Java needs to use it: the interpreter, the base
 * installation it was made from, its site-packages and Jep's native library.
 *
 * <p>The search for {@code .venv} starts at the system property {@code coach.root} (set by bin/coach
 * and by the Maven build for tests), else at the working directory, and goes up through the parents.
 */
public record PythonEnvironment(
    Path root, Path venv, Path python, Path basePrefix, Path sitePackages, Path jepLibrary, String jepVersion) {

  public static final String ROOT_PROPERTY = "coach.root";
  private static final String FIX = "run bin/coach once (it creates .venv from python/requirements.txt)";

  private static volatile PythonEnvironment located;

  /** The environment of this checkout, located once per JVM. */
  public static PythonEnvironment locate() {
    PythonEnvironment env = located;
    if (env == null) {
      synchronized (PythonEnvironment.class) {
        if (located == null) {
          located = at(findRoot());
        }
        env = located;
      }
    }
    return env;
  }

  private static Path findRoot() {
    String property = System.getProperty(ROOT_PROPERTY);
    Path start = property != null && !property.isBlank() ? Path.of(property) : Path.of("");
    start = start.toAbsolutePath().normalize();
    // Walking up also covers a build started inside a module directory.
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(".venv/pyvenv.cfg"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no project Python venv: found no .venv/pyvenv.cfg in " + start + " or its parents (start: "
            + (property != null ? "system property " + ROOT_PROPERTY : "working directory") + "); " + FIX);
  }

  /** Checks the venv under {@code root} and describes it; every missing piece is an error naming the fix. */
  public static PythonEnvironment at(Path root) {
    Path venv = root.resolve(".venv");
    Path config = venv.resolve("pyvenv.cfg");
    if (!Files.isRegularFile(config)) {
      throw new IllegalStateException("no Python venv at " + venv + " (missing pyvenv.cfg); " + FIX);
    }
    Path python = venv.resolve("bin/python");
    if (!Files.isExecutable(python)) {
      throw new IllegalStateException("the venv at " + venv + " has no bin/python; delete it and " + FIX);
    }
    Path basePrefix = basePrefix(config);
    Path sitePackages = sitePackages(venv);
    Path jepDir = sitePackages.resolve("jep");
    Path jepLibrary = jepDir.resolve("libjep.so");
    if (!Files.isRegularFile(jepLibrary)) {
      throw new IllegalStateException("Jep is not installed in " + venv + " (no " + jepLibrary + "); " + FIX);
    }
    String pythonJep = pythonJepVersion(jepDir.resolve("version.py"));
    String javaJep = javaJepVersion();
    if (!pythonJep.equals(javaJep)) {
      throw new IllegalStateException(
          "Jep version mismatch: the venv has jep " + pythonJep + " but the Java classes are jep " + javaJep
              + "; pin jep==" + javaJep + " in python/requirements.txt (or change jep.version in pom.xml) and "
              + "run bin/coach to rebuild the venv");
    }
    return new PythonEnvironment(root, venv, python, basePrefix, sitePackages, jepLibrary, javaJep);
  }

  /** The installation the venv was created from, so the sandbox can mount its standard library. */
  private static Path basePrefix(Path config) {
    List<String> lines = readLines(config);
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (eq > 0 && line.substring(0, eq).trim().equals("home")) {
        Path home = Path.of(line.substring(eq + 1).trim());
        Path prefix = home.getParent();
        if (prefix == null || !Files.isDirectory(prefix.resolve("lib"))) {
          throw new IllegalStateException(config + ": key 'home' = " + home + " is not the bin directory of a Python installation");
        }
        return prefix;
      }
    }
    throw new IllegalStateException(config + ": no 'home' key naming the base Python; delete .venv and " + FIX);
  }

  private static Path sitePackages(Path venv) {
    Path lib = venv.resolve("lib");
    try (Stream<Path> dirs = Files.list(lib)) {
      List<Path> found = dirs.filter(d -> d.getFileName().toString().startsWith("python"))
          .map(d -> d.resolve("site-packages"))
          .filter(Files::isDirectory)
          .collect(Collectors.toList());
      if (found.size() != 1) {
        throw new IllegalStateException("expected one lib/python*/site-packages in " + venv + ", found " + found + "; delete .venv and " + FIX);
      }
      return found.get(0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + lib + ": " + e.getMessage() + "; " + FIX, e);
    }
  }

  private static String pythonJepVersion(Path versionFile) {
    for (String line : readLines(versionFile)) {
      if (line.startsWith("__VERSION__")) {
        return line.substring(line.indexOf('=') + 1).trim().replace("'", "").replace("\"", "");
      }
    }
    throw new IllegalStateException(versionFile + " has no __VERSION__; the jep install is broken, delete .venv and " + FIX);
  }

  private static String javaJepVersion() {
    Properties properties = new Properties();
    try (InputStream in = jep.Jep.class.getResourceAsStream("/META-INF/maven/black.ninia/jep/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the Jep jar on the classpath has no Maven version metadata");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version");
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage() + "; " + FIX, e);
    }
  }
}
