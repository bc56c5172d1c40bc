package ai.coach.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line behind {@code bin/coach}. Each subcommand lives in its own class. */
@Command(
    name = "coach",
    mixinStandardHelpOptions = true,
    version = "coach 0.1.0",
    description = "Self-improving reasoning models: generate, critique with a GenPRM, refine.",
    subcommands = {
      RunCommand.class,
      LmCommand.class,
      BenchCommand.class,
      DataCommand.class,
      PythonCommand.class,
      GradeCommand.class,
      PolicyCommand.class,
      EvalPrmCommand.class,
      SynthCommand.class,
      ScorePrmCommand.class,
      TrainCommand.class,
    })
public final class Main implements Runnable {

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).setExecutionExceptionHandler(Main::reportError).execute(args);
    System.exit(code);
  }

  /** Users get one line naming the problem, not a stack trace; COACH_DEBUG=1 shows the trace. */
  private static int reportError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    if (System.getenv("COACH_DEBUG") != null) {
      e.printStackTrace();
    }
    cmd.getErr().println("coach: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
    return 1;
  }
}
