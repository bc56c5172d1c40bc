package ai.coach.rollout;

import ai.coach.tokenizer.ChatTemplate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a problem is put to the policy and how its answer is read back: the problem as the user
 * turn of the model's chat template, the solution as one step per line. Training data for the
 * policy is written through the same two functions, so the two never drift apart.
 */
public final class PolicyPrompt {

  /** The instruction the testbed policy is trained with (configs/sft-policy-tiny.yaml). */
  public static final String TESTBED_SYSTEM_PROMPT =
      "Solve the problem step by step. Write one step per line and put the final answer in \\boxed{}.";

  private PolicyPrompt() {}

  public static List<ChatTemplate.Message> messages(String systemPrompt, String problem) {
    List<ChatTemplate.Message> messages = new ArrayList<>();
    if (systemPrompt != null && !systemPrompt.isBlank()) messages.add(ChatTemplate.Message.system(systemPrompt));
    messages.add(ChatTemplate.Message.user(problem));
    return messages;
  }

  public static String response(List<String> steps) {
    return String.join("\n", steps);
  }

  /** Steps of a generated solution: its non-blank lines. */
  public static List<String> steps(String solution) {
    return Arrays.stream(solution.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
