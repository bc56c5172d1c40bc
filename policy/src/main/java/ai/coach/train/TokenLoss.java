package ai.coach.train;

/**
 * A loss over the log-probabilities the model gives each scored target token. Supervised
 * cross-entropy, policy-gradient objectives with importance ratios and per-token KL penalties
 * against a reference model all depend on the logits only through log π(target), so the model
 * computes those, the loss turns them into a value and d loss / d log π(target), and the model
 * back-propagates that through the log-softmax ({@code d log π(y) / d logits = onehot(y) − π}).
 */
public interface TokenLoss {

  /**
   * @param logProbs log π(target) at the batch's scored positions, in the order of
   *     {@link TokenBatch#scored()}
   * @return the loss and its gradient with respect to each entry of {@code logProbs}
   */
  LossValue evaluate(double[] logProbs, TokenBatch batch);
}
