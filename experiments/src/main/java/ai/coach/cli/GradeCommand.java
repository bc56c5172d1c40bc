package ai.coach.cli;

import ai.coach.grade.AnswerGrader;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coach grade}: is a predicted answer equal to the gold one? */
@Command(
    name = "grade",
    mixinStandardHelpOptions = true,
    description = "Compare a prediction's final answer (last \\boxed{...} or 'The answer is ...') with a gold answer;"
        + " print {\"equal\": true|false}.")
public final class GradeCommand implements Callable<Integer> {

  @Option(names = "--pred", required = true, paramLabel = "TEXT", description = "The predicted solution or answer.")
  String prediction;

  @Option(names = "--gold", required = true, paramLabel = "TEXT", description = "The gold answer.")
  String gold;

  @Override
  public Integer call() throws Exception {
    boolean equal;
    try (AnswerGrader grader = AnswerGrader.start(1)) {
      equal = grader.equal(prediction, gold);
    }
    System.out.println(new ObjectMapper().writeValueAsString(Map.of("equal", equal)));
    return 0;
  }
}
