package ai.dynamo.deploy.cli;

import ai.dynamo.deploy.cli.action.Invocation;
import picocli.CommandLine;

/**
 * Creates the verbs and their option groups for one command line, handing each that reads its caller (environment,
 * terminal, Temporal connections) the {@link Invocation}: picocli gives a nested option group no way back to its
 * command's root, so it is given at creation.
 */
final class InvocationFactory implements CommandLine.IFactory {
  /** Verb code that reads its caller. */
  interface ReadsInvocation {
    void use(Invocation invocation);
  }

  private final Invocation invocation;
  private final CommandLine.IFactory plain = CommandLine.defaultFactory();

  InvocationFactory(Invocation invocation) {
    this.invocation = invocation;
  }

  @Override
  public <K> K create(Class<K> cls) throws Exception {
    K created = plain.create(cls);
    if (created instanceof ReadsInvocation reads) reads.use(invocation);
    return created;
  }
}
