package ai.coach.prm;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Mean F1 of a critic that averages {@code samples} critiques per step, estimated from a run that
 * drew more: each draw is a set of that many sample positions, scored as a run of its own.
 *
 * @param meanF1 mean over the draws
 * @param sd standard deviation over the draws; for one sample these are disjoint, independent
 *     runs, so it is the run-to-run spread; for more, the draws share samples and understate it
 * @param draws sample sets scored
 */
public record SamplesScore(
    @JsonProperty("samples") int samples,
    @JsonProperty("mean_f1") double meanF1,
    @JsonProperty("sd") double sd,
    @JsonProperty("draws") int draws) {}
