package ai.coach.critic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/** Answers each snippet from a table and records which session ran what. */
final class ScriptedExecutor implements CodeExecutor {

  private final Function<String, String> outputs;
  final List<ScriptedSession> sessions = Collections.synchronizedList(new ArrayList<>());

  ScriptedExecutor(Function<String, String> outputs) {
    this.outputs = outputs;
  }

  final class ScriptedSession implements Session {
    final List<String> ran = Collections.synchronizedList(new ArrayList<>());
    volatile boolean closed;

    @Override
    public String run(String code) {
      if (closed) throw new IllegalStateException("run on a closed session");
      ran.add(code);
      return outputs.apply(code);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Override
  public Session openSession() {
    ScriptedSession s = new ScriptedSession();
    sessions.add(s);
    return s;
  }
}
