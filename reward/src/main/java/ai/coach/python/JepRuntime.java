package ai.coach.python;

import jep.JepConfig;
import jep.JepException;
import jep.MainInterpreter;
import jep.PyConfig;
import jep.SharedInterpreter;

/**
 * Points Jep at the project venv. Jep's native library and interpreter settings are process-wide
 * and can be set only before the first interpreter, so this happens once per JVM.
 */
final class JepRuntime {

  private static PythonEnvironment configured;

  private JepRuntime() {}

  static synchronized PythonEnvironment configure(PythonEnvironment env) {
    if (configured != null) {
      if (!configured.equals(env)) {
        throw new IllegalStateException(
            "Jep is already bound to the venv at " + configured.venv() + " in this JVM; cannot switch to " + env.venv());
      }
      return configured;
    }
    try {
      MainInterpreter.setJepLibraryPath(env.jepLibrary().toString());
      // Starting "as" the venv's python makes CPython read pyvenv.cfg, so sys.path holds the
      // venv's site-packages and the base installation's standard library, whatever the JVM's cwd.
      MainInterpreter.setInitParams(new PyConfig()
          .setProgramName(env.python().toString())
          .setIgnoreEnvironmentFlag(1)
          .setNoUserSiteDirectory(1)
          .setDontWriteBytecodeFlag(1));
      SharedInterpreter.setConfig(new JepConfig().addIncludePaths(env.sitePackages().toString()));
    } catch (JepException | IllegalStateException e) {
      throw new IllegalStateException("cannot set up Jep with " + env.jepLibrary() + ": " + e.getMessage(), e);
    }
    configured = env;
    return env;
  }
}
