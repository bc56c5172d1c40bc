package ai.coach.testbed;

import ai.coach.testbed.ErrorInjector.Labelled;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Text for training the testbed's tokenizer: what its models will read and write. Per problem: the
 * problem, a solution (gold or with an injected mistake) and GenPRM-style critiques of its steps
 * (analysis, a Python check with its output, a boxed Yes/No judgement), with the chat roles around
 * them. Only train-split problems are used.
 */
public final class TokenizerCorpus {

  private TokenizerCorpus() {}

  public static void write(Path file, int problems, long seed) {
    if (problems <= 0) {
      throw new IllegalArgumentException("number of problems must be > 0, got " + problems);
    }
    ArithmeticGenerator gen = new ArithmeticGenerator(seed, Split.TRAIN);
    SplittableRandom rng = new SplittableRandom(seed).split();
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (int i = 0; i < problems; i++) {
          w.write(document(gen.next(), rng));
          w.write("\n\n");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  static String document(ArithmeticProblem p, SplittableRandom rng) {
    Labelled solution =
        rng.nextBoolean()
            ? ErrorInjector.correct(p)
            : ErrorInjector.injectAny(p, rng).orElse(ErrorInjector.correct(p));
    List<String> steps = solution.item().steps();
    List<Equation> gold = SolutionChecker.goldEquations(p);
    StringBuilder sb = new StringBuilder();
    sb.append("system\nSolve the problem step by step. Write one step per line and put the final ")
        .append("answer in \\boxed{}.\nuser\n")
        .append(p.problem())
        .append("\nassistant\n")
        .append(String.join("\n", steps))
        .append('\n');
    sb.append("system\nYou are a math teacher. Review the paragraphs of a student's solution one ")
        .append("by one and critique each of them.\n");
    int last = solution.item().label() >= 0 ? solution.item().label() : steps.size() - 1;
    for (int t = 0; t <= last; t++) {
      sb.append("user\n");
      if (t == 0) {
        sb.append(p.problem()).append('\n');
      }
      sb.append(steps.get(t)).append("\nassistant\n");
      sb.append(critique(t, Equation.find(steps.get(t)).orElseThrow(), gold.get(t)));
    }
    return sb.toString();
  }

  /** A critique of one step in the three phases of the GenPRM protocol. */
  static String critique(int index, Equation stated, Equation gold) {
    long computed = stated.op().apply(stated.left(), stated.right()).orElseThrow();
    String verdict;
    boolean right = false;
    if (!stated.holds()) {
      verdict =
          "But " + stated.computation() + " is "
              + computed + ", not " + stated.result() + ". The paragraph is incorrect.";
    } else if (stated.op() != gold.op()) {
      verdict =
          "The problem calls for " + word(gold.op()) + " here, but the paragraph uses "
              + word(stated.op()) + ". The paragraph is incorrect.";
    } else if (!stated.sameComputation(gold)) {
      verdict =
          "It should combine " + gold.left() + " and " + gold.right() + ", but it uses "
              + stated.left() + " and " + stated.right() + ". The paragraph is incorrect.";
    } else {
      right = true;
      verdict = "The numbers and the operation match the problem, and the result is right.";
    }
    return "<analyze>\nLet's analyze the Paragraph " + (index + 1) + " step by step: "
        + "The paragraph computes " + stated.render() + ". " + verdict + "\n</analyze>\n"
        + "<verify>\nLet's use python code to find any potential error:\n```python\n"
        + "stated = " + stated.result() + "\n"
        + "computed = " + stated.left() + " " + stated.op().python() + " " + stated.right() + "\n"
        + "print(f\"computed: {computed}, stated: {stated}\")\n"
        + "print(computed == stated)\n```\n"
        + "[Code Output]\n\n```\ncomputed: " + computed + ", stated: " + stated.result() + "\n"
        + (computed == stated.result() ? "True" : "False") + "\n```\n</verify>\n"
        + "<output>\n**Judgement**: $\\boxed{" + (right ? "Yes" : "No") + "}$\n</output>\n";
  }

  private static String word(Op op) {
    return switch (op) {
      case ADD -> "addition";
      case SUBTRACT -> "subtraction";
      case MULTIPLY -> "multiplication";
      case DIVIDE -> "division";
    };
  }
}
