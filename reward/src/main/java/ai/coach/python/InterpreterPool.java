package ai.coach.python;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import jep.Interpreter;
import jep.JepException;
import jep.SharedInterpreter;

/**
 * In-process Python for the project's own, trusted code (never model-written code: that goes to
 * {@code ai.coach.sandbox}). A Jep interpreter may only be used by the thread that created it, so
 * each interpreter lives on a dedicated thread and callers hand it tasks; any number of Java
 * threads may call {@link #call} concurrently.
 */
public final class InterpreterPool implements AutoCloseable {

  /** Work done with one interpreter, on that interpreter's thread. */
  @FunctionalInterface
  public interface PythonTask<T> {
    T run(Interpreter python) throws JepException;
  }

  private static final Consumer<Interpreter> STOP = python -> {};

  private final BlockingQueue<Consumer<Interpreter>> tasks = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  /**
   * Starts {@code size} interpreters in the project venv, each running {@code setup} once (e.g. to
   * import a module) before it takes tasks. Fails, naming the cause, if any interpreter cannot start.
   */
  public InterpreterPool(PythonEnvironment env, int size, PythonTask<Void> setup) {
    if (size < 1) {
      throw new IllegalArgumentException("interpreter pool size must be at least 1, got " + size);
    }
    JepRuntime.configure(env);
    CountDownLatch started = new CountDownLatch(size);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < size; i++) {
      Thread thread = new Thread(() -> serve(setup, started, failure), "python-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    try {
      started.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while starting Python interpreters", e);
    }
    if (failure.get() != null) {
      close();
      throw new IllegalStateException("cannot start Python through Jep: " + failure.get().getMessage(), failure.get());
    }
  }

  public InterpreterPool(int size, PythonTask<Void> setup) {
    this(PythonEnvironment.locate(), size, setup);
  }

  private void serve(PythonTask<Void> setup, CountDownLatch started, AtomicReference<Throwable> failure) {
    try (Interpreter python = new SharedInterpreter()) {
      setup.run(python);
      started.countDown();
      while (true) {
        Consumer<Interpreter> task = tasks.take();
        if (task == STOP) {
          return;
        }
        task.accept(python);
      }
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
      started.countDown();
    }
  }

  /** Runs {@code task} on a free interpreter and returns its result; Python errors come back as {@link PythonException}. */
  public <T> T call(PythonTask<T> task) {
    if (closed) {
      throw new IllegalStateException("the interpreter pool is closed");
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    tasks.add(python -> {
      try {
        result.complete(task.run(python));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Python", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof JepException) {
        throw new PythonException(cause.getMessage(), cause);
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IllegalStateException(cause);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = 0; i < threads.size(); i++) {
      tasks.add(STOP);
    }
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
