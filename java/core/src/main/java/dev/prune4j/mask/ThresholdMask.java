package dev.prune4j.mask;

/**
 * A keep-mask made by pruning below a magnitude threshold, and how many weights exactly at the
 * threshold it pruned (the ties, taken in flat order; the caller passes the rest on to the next tensor).
 */
public record ThresholdMask(Mask mask, long tiesPruned) {}
