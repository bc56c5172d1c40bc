package ai.coach.cli;

import ai.coach.testbed.ArithmeticGenerator;
import ai.coach.testbed.ErrorInjector;
import ai.coach.testbed.JsonLines;
import ai.coach.testbed.ProcessBenchItem;
import ai.coach.testbed.Split;
import ai.coach.testbed.TokenizerCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code coach data ...}: synthetic data sets of the built-in testbed tasks. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Write synthetic data sets of a built-in task.",
    subcommands = {
      DataCommand.Problems.class,
      DataCommand.ProcessBench.class,
      DataCommand.Corpus.class,
    })
public final class DataCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Options every data subcommand takes, checked the same way. */
  static class Common {
    @Spec CommandSpec spec;

    @Option(names = "--task", required = true, description = "Task; only 'arithmetic' so far.")
    String task;

    @Option(names = "--n", required = true, description = "Number of records to write.")
    int n;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Output file.")
    Path out;

    void validate() {
      if (!"arithmetic".equals(task)) {
        throw new ParameterException(
            spec.commandLine(), "unknown --task '" + task + "'; known tasks: arithmetic");
      }
      if (n <= 0) {
        throw new ParameterException(spec.commandLine(), "--n must be a positive count, got " + n);
      }
      if (Files.isDirectory(out)) {
        throw new ParameterException(spec.commandLine(), "--out " + out + " is a directory; give a file");
      }
    }
  }

  @Command(
      name = "problems",
      mixinStandardHelpOptions = true,
      description = "Word problems with gold solutions as JSONL {id, problem, steps, answer}.")
  static final class Problems extends Common implements Callable<Integer> {
    @Option(
        names = "--split",
        required = true,
        converter = SplitConverter.class,
        description = "train, dev or test.")
    Split split;

    @Override
    public Integer call() {
      validate();
      JsonLines.write(out, new ArithmeticGenerator(seed, split).generate(n));
      spec.commandLine().getErr().println("coach: wrote " + n + " " + split.label() + " problems to " + out);
      return 0;
    }
  }

  @Command(
      name = "processbench",
      mixinStandardHelpOptions = true,
      description = "ProcessBench-format items (about half with one injected mistake) as JSONL.")
  static final class ProcessBench extends Common implements Callable<Integer> {
    @Option(
        names = "--split",
        defaultValue = "test",
        converter = SplitConverter.class,
        description = "Split the problems come from (default ${DEFAULT-VALUE}).")
    Split split;

    @Override
    public Integer call() {
      validate();
      List<ProcessBenchItem> items =
          ErrorInjector.processBench(n, seed, split).stream().map(ErrorInjector.Labelled::item).toList();
      JsonLines.write(out, items);
      long correct = items.stream().filter(i -> i.label() == -1).count();
      spec.commandLine()
          .getErr()
          .println("coach: wrote " + n + " items (" + correct + " correct) to " + out);
      return 0;
    }
  }

  @Command(
      name = "corpus",
      mixinStandardHelpOptions = true,
      description = "Plain text for training a tokenizer: problems, solutions and critiques.")
  static final class Corpus extends Common implements Callable<Integer> {
    @Override
    public Integer call() {
      validate();
      TokenizerCorpus.write(out, n, seed);
      spec.commandLine().getErr().println("coach: wrote a corpus of " + n + " problems to " + out);
      return 0;
    }
  }

  /** Lower-case split names on the command line, with the accepted ones in the error. */
  static final class SplitConverter implements picocli.CommandLine.ITypeConverter<Split> {
    @Override
    public Split convert(String value) {
      for (Split s : Split.values()) {
        if (s.label().equals(value)) {
          return s;
        }
      }
      throw new picocli.CommandLine.TypeConversionException(
          "'" + value + "' is not a split; expected train, dev or test");
    }
  }
}
