package ai.dynamo.deploy.workflows;

/**
 * How far a component (stage) is: the result of apply and of a readiness wait.
 *
 * @param ready ready units
 * @param desired desired units
 * @param message the last word from the target, or empty
 */
public record ReadyState(int ready, int desired, String message) {}
