package ai.coach.rollout;

import java.io.Serializable;

/** A problem to solve and its gold final answer. Plain data: safe to ship to another process. */
public record Task(String id, String problem, String answer) implements Serializable {}
