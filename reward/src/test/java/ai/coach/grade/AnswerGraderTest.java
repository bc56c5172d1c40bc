package ai.coach.grade;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerGraderTest {

  private static AnswerGrader grader;

  @BeforeAll
  static void start() {
    grader = AnswerGrader.start(2);
  }

  @AfterAll
  static void stop() {
    grader.close();
  }

  @ParameterizedTest(name = "[{index}] {0} vs {1} -> {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      \\boxed{42}                                         | 42                      | true
      The answer is \\boxed{\\frac{1}{2}}.                | 0.5                     | true
      \\boxed{\\dfrac{3}{7}}                              | \\frac37                | true
      \\boxed{\\tfrac{2}{4}}                              | 1/2                     | true
      \\boxed{3/4}                                        | 0.75                    | true
      \\boxed{1,000}                                      | 1000                    | true
      \\boxed{1{,}234{,}567}                              | 1234567                 | true
      \\boxed{12\\,345}                                   | 12345                   | true
      \\boxed{-17}                                        | -17                     | true
      \\boxed{0.333333}                                   | \\frac{1}{3}            | true
      \\boxed{100.004}                                    | 100                     | true
      \\boxed{2.50}                                       | 2.5                     | true
      \\boxed{50\\%}                                      | 0.5                     | true
      \\boxed{50\\%}                                      | 50                      | true
      \\boxed{25}                                         | 25\\%                   | true
      \\boxed{\\sqrt{12}}                                 | 2\\sqrt{3}              | true
      \\boxed{\\frac{\\sqrt{2}}{2}}                       | \\frac{1}{\\sqrt{2}}    | true
      \\boxed{\\sqrt[3]{8}}                               | 2                       | true
      \\boxed{\\pi}                                       | 3.14159                 | true
      \\boxed{2\\pi}                                      | 6.2832                  | true
      \\boxed{\\frac{\\pi}{4}}                            | \\pi/4                  | true
      \\boxed{e}                                          | 2.71828                 | true
      \\boxed{x^2+2x+1}                                   | (x+1)^2                 | true
      \\boxed{2(x-1)}                                     | 2x-2                    | true
      \\boxed{\\frac{x}{2}+\\frac{x}{2}}                  | x                       | true
      \\boxed{x=2}                                        | 2                       | true
      \\boxed{y = 2x+1}                                   | y=1+2x                  | true
      \\boxed{(1,2)}                                      | (1, 2)                  | true
      \\boxed{[0,1)}                                      | [0,1)                   | true
      \\boxed{(-\\infty, 3]}                              | (-\\infty,3]            | true
      \\boxed{1, 2, 3}                                    | \\{3,2,1\\}             | true
      \\boxed{\\infty}                                    | \\infty                 | true
      \\boxed{12^\\circ}                                  | 12                      | true
      \\boxed{\\$18.90}                                   | 18.9                    | true
      \\boxed{\\text{(A)}}                                | A                       | true
      \\boxed{\\left(3, \\frac{1}{2}\\right)}             | (3, 0.5)                | true
      "So the final answer is $\\frac{3}{4}$."            | 0.75                    | true
      "Thus, the answer is 7."                            | 7                       | true
      "I think \\boxed{5} at first, but \\boxed{6}"       | 6                       | true
      \\boxed{\\frac{a}{b}} then \\boxed{\\sqrt{\\frac{1}{4}}} | 1/2                | true
      \\boxed{10^{3}}                                     | 1000                    | true
      \\boxed{2^{10}}                                     | 1024                    | true
      \\boxed{\\frac{6}{8}}                               | \\boxed{\\frac{3}{4}}   | true
      \\boxed{0.1}                                        | \\frac{1}{10}           | true
      \\boxed{43}                                         | 42                      | false
      \\boxed{3}                                          | \\boxed{4}              | false
      \\boxed{-3}                                         | 3                       | false
      \\boxed{100.02}                                     | 100                     | false
      \\boxed{0}                                          | 0.00001                 | false
      \\boxed{\\frac{1}{3}}                               | 0.33                    | false
      \\boxed{\\sqrt{2}}                                  | 1.41                    | false
      \\boxed{\\pi}                                       | 3.14                    | false
      \\boxed{x^2+1}                                      | (x+1)^2                 | false
      \\boxed{2x-1}                                       | 2x+1                    | false
      \\boxed{(2,1)}                                      | (1,2)                   | false
      \\boxed{[0,1)}                                      | [0,1]                   | false
      \\boxed{1, 2}                                       | \\{1,2,3\\}             | false
      \\boxed{y=2x}                                       | y=3x                    | false
      "no final answer is stated here"                    | 5                       | false
      \\boxed{}                                           | 5                       | false
      \\boxed{5}                                          | 500                     | false
      \\boxed{1,001}                                      | 1000                    | false
      \\boxed{\\frac{2}{3}}                               | \\frac{3}{2}            | false
      \\boxed{e}                                          | \\pi                    | false
      \\boxed{10^{10^{10}}}                              | 5                       | false
      \\boxed{10^{10^{10}}}                              | 10^{10^{10}}            | true
      \\boxed{1000000!}                                  | 1                       | false
      """)
  void decidesEquivalence(String prediction, String gold, boolean equal) {
    assertEquals(equal, grader.equal(prediction, gold));
  }

  @Test
  void extractsTheLastBoxedAnswerWithNestedBraces() {
    assertEquals(Optional.of("\\frac{\\sqrt{2}}{2}"), grader.extractAnswer("first \\boxed{1} then \\boxed{\\frac{\\sqrt{2}}{2}} done"));
    assertEquals(Optional.of("x^{2}"), grader.extractAnswer("The answer is $x^{2}$."));
    assertEquals(Optional.empty(), grader.extractAnswer("no answer"));
  }

  @Test
  void servesManyThreadsAtOnce() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        int n = i;
        results.add(threads.submit(() -> grader.equal("\\boxed{" + n + "/2}", Double.toString(n / 2.0))));
      }
      for (Future<Boolean> result : results) {
        assertEquals(true, result.get());
      }
    } finally {
      threads.shutdown();
    }
  }
}
