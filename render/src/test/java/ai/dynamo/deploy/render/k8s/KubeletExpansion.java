package ai.dynamo.deploy.render.k8s;

import java.util.Map;

/**
 * What the kubelet does to a container's command, args and env values, per the Kubernetes API documentation:
 * {@code $(VAR)} is replaced when VAR is defined and left as is otherwise, {@code $$} becomes {@code $}, any other
 * {@code $} passes through, and an unclosed {@code $(} stays literal. Written here to check our escaping against.
 */
final class KubeletExpansion {
  private KubeletExpansion() {}

  static String expand(String input, Map<String, String> env) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < input.length()) {
      char c = input.charAt(i);
      if (c != '$' || i + 1 >= input.length()) {
        out.append(c);
        i++;
        continue;
      }
      char next = input.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
      } else if (next == '(') {
        int close = input.indexOf(')', i + 2);
        if (close < 0) {
          out.append("$(");
          i += 2;
        } else {
          String name = input.substring(i + 2, close);
          out.append(env.containsKey(name) ? env.get(name) : "$(" + name + ")");
          i = close + 1;
        }
      } else {
        out.append('$').append(next);
        i += 2;
      }
    }
    return out.toString();
  }
}
