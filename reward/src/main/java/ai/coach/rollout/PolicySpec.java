package ai.coach.rollout;

import ai.coach.lm.SamplingParams;
import java.io.Serializable;

/**
 * Which policy to run and how to sample it. Names the checkpoint by directory; the process that
 * runs the work loads it through the model registry, so a spec travels to a worker without the
 * model.
 *
 * @param systemPrompt system message of the chat prompt, or null for none
 */
public record PolicySpec(String modelDir, String dtype, SamplingParams sampling, String systemPrompt) implements Serializable {}
