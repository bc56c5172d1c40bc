package ai.coach.grade;

import ai.coach.python.InterpreterPool;
import ai.coach.python.PythonEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Decides whether a solution's final answer equals a gold answer: extracts the last
 * {@code \boxed{...}} (or "The answer is ..."), normalizes it and compares with Hugging Face's
 * math-verify plus a 1e-4 relative tolerance for numbers. The Python side is the project's
 * {@code ai/coach/grade/grade.py}, run in-process through Jep. Safe to use from many threads.
 */
public final class AnswerGrader implements AutoCloseable {

  private static final String SOURCE = "ai/coach/grade/grade.py";

  private final InterpreterPool pool;

  private AnswerGrader(InterpreterPool pool) {
    this.pool = pool;
  }

  /** A grader with {@code interpreters} Jep interpreters in the project venv. */
  public static AnswerGrader start(int interpreters) {
    return start(PythonEnvironment.locate(), interpreters);
  }

  public static AnswerGrader start(PythonEnvironment env, int interpreters) {
    String source = readSource();
    return new AnswerGrader(new InterpreterPool(env, interpreters, python -> {
      python.set("coach_grade_source", source);
      // Interpreters share sys.modules, so the module is compiled once and imported by all.
      python.exec(String.join("\n",
          "import sys, types",
          "if 'coach_grade' not in sys.modules:",
          "    module = types.ModuleType('coach_grade')",
          "    module.__file__ = '" + SOURCE + "'",
          "    exec(compile(coach_grade_source, '" + SOURCE + "', 'exec'), module.__dict__)",
          "    sys.modules['coach_grade'] = module",
          "from coach_grade import equal, extract_answer",
          "del coach_grade_source"));
      return null;
    }));
  }

  /** Whether the final answer stated in {@code prediction} equals {@code gold} (itself a bare answer or a solution). */
  public boolean equal(String prediction, String gold) {
    return pool.call(python -> Boolean.TRUE.equals(python.invoke("equal", prediction, gold)));
  }

  /** The final answer a solution states, if it states one. */
  public Optional<String> extractAnswer(String solution) {
    return Optional.ofNullable((String) pool.call(python -> python.invoke("extract_answer", solution)));
  }

  @Override
  public void close() {
    pool.close();
  }

  private static String readSource() {
    try (InputStream in = AnswerGrader.class.getClassLoader().getResourceAsStream(SOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + SOURCE + " is missing from the classpath; rebuild the reward module");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
