package ai.dynamo.deploy.ir;

import static ai.dynamo.deploy.ir.Fields.child;
import static ai.dynamo.deploy.ir.Fields.describe;
import static ai.dynamo.deploy.ir.Fields.isInt;
import static ai.dynamo.deploy.ir.Fields.isNull;
import static ai.dynamo.deploy.ir.Fields.isPlainScalar;
import static ai.dynamo.deploy.ir.Fields.isString;
import static ai.dynamo.deploy.ir.Fields.text;

import ai.dynamo.deploy.ir.Fields.Entry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** The per-component settings: resources, environment and secrets, node selector, readiness. */
final class ComponentFieldRules extends Rules {
  static final List<String> RESOURCE_KEYS = List.of("cpu", "memory", "gpu");
  static final List<String> READINESS_KINDS = List.of("http", "tcp", "running");
  static final int MAX_GPUS_PER_NODE = 1024;
  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?");
  static final Pattern SECRET_REF = Pattern.compile("\\$\\{\\{\\s*secrets\\.([^\\s}]*)\\s*}}");
  static final Pattern ANY_REF = Pattern.compile("\\$\\{\\{.*?}}");
  static final Pattern SECRET_REF_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?");
  static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  static final Pattern SECRET_LIKE_ENV = Pattern.compile(".*(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY)$");

  ComponentFieldRules(Rules shared) {
    super(shared);
  }

  Resources resources(Entry e, String path) {
    if (e == null) return Resources.NONE;
    if (!(e.value() instanceof MappingNode m)) {
      problems.error(e.keyNode(), path, "expected a mapping with cpu, memory and gpu, got " + describe(e.value()));
      return null;
    }
    int before = errorCount();
    Map<String, Entry> f = known(m, path, RESOURCE_KEYS, null);
    String cpu = null;
    Entry c = f.get("cpu");
    if (c != null) {
      cpu = isPlainScalar(c.value()) && !c.value().getTag().equals(Tag.BOOL) ? text(c.value()) : null;
      long millis = cpu == null ? -1 : Quantities.cpuMillis(cpu);
      if (millis < 0) {
        problems.error(c.keyNode(), child(path, "cpu"), "expected a CPU quantity such as 500m, 2 or 1.5, got " + describe(c.value()));
      } else if (millis == 0) {
        problems.error(c.keyNode(), child(path, "cpu"), "cpu must be more than zero");
      }
    }
    String memory = null;
    Entry mem = f.get("memory");
    if (mem != null) {
      memory = isString(mem.value()) || isInt(mem.value()) ? text(mem.value()) : null;
      long bytes = memory == null ? -1 : Quantities.memoryBytes(memory);
      if (bytes < 0) {
        problems.error(mem.keyNode(), child(path, "memory"), "expected a memory quantity such as 512Mi, 2Gi or 16G, got " + describe(mem.value()));
      } else if (bytes == 0) {
        problems.error(mem.keyNode(), child(path, "memory"), "memory must be more than zero");
      }
    }
    int gpu = 0;
    Entry g = f.get("gpu");
    if (g != null) {
      Long n = integer(g.value());
      if (n == null || n < 0) {
        problems.error(g.keyNode(), child(path, "gpu"), "expected a non-negative integer, got " + describe(g.value()));
      } else if (n > MAX_GPUS_PER_NODE) {
        problems.error(g.keyNode(), child(path, "gpu"), "gpu is per node; " + describe(g.value()) + " is more than any node has (the limit is " + MAX_GPUS_PER_NODE + ")");
      } else {
        gpu = n.intValue();
      }
    }
    return errorCount() > before ? null : new Resources(cpu, memory, gpu);
  }

  List<EnvVar> environment(Entry e, String path) {
    List<EnvVar> out = new ArrayList<>();
    if (e == null) return out;
    if (!(e.value() instanceof MappingNode m)) {
      problems.error(e.keyNode(), path, "expected a mapping of variable names to values, got " + describe(e.value()));
      return out;
    }
    Set<String> seen = new HashSet<>();
    for (Entry v : Fields.entries(m)) {
      String p = child(path, v.key());
      if (!seen.add(v.key())) continue; // duplicate key, already reported
      positions.put(p, v.keyNode());
      if (!ENV_NAME.matcher(v.key()).matches()) {
        problems.error(v.keyNode(), p, "environment variable name " + Fields.quote(v.key()) + " must start with a letter or '_' and contain only letters, digits and '_'");
        continue;
      }
      // Values are never quoted back in messages: a literal value may be a credential written by mistake.
      if (!isPlainScalar(v.value())) {
        String got = isNull(v.value()) ? "nothing" : v.value() instanceof ScalarNode ? "a date (quote it)" : describe(v.value());
        problems.error(v.keyNode(), p, "expected a string value, got " + got);
        continue;
      }
      String value = text(v.value());
      Matcher ref = SECRET_REF.matcher(value);
      if (ref.matches()) {
        String secret = ref.group(1);
        if (!SECRET_REF_NAME.matcher(secret).matches()) {
          problems.error(v.keyNode(), p, "invalid secret name in reference: " + Fields.quote(secret) + " (use letters, digits and '_', starting with a letter or '_')");
        } else {
          out.add(EnvVar.secret(v.key(), secret));
        }
      } else if (value.contains("${{")) {
        Matcher any = ANY_REF.matcher(value);
        if (any.find() && any.start() == 0 && any.end() == value.length()) {
          problems.error(v.keyNode(), p, "only secret references are supported: write the whole value as \"${{ secrets.NAME }}\"");
        } else {
          problems.error(v.keyNode(), p, "a secret reference must be the whole value, \"${{ secrets.NAME }}\"; it cannot be part of a longer string");
        }
      } else {
        if (SECRET_LIKE_ENV.matcher(v.key()).matches() && !value.isEmpty()) {
          problems.warning(v.keyNode(), p, v.key() + " has a literal value; write \"${{ secrets." + v.key()
              + " }}\" so the value stays out of rendered files and logs");
        }
        out.add(EnvVar.literal(v.key(), value));
      }
    }
    return out;
  }

  List<String> secrets(Entry e, String path) {
    List<String> out = new ArrayList<>();
    if (e == null) return out;
    if (!(e.value() instanceof SequenceNode seq)) {
      problems.error(e.keyNode(), path, "expected a list of secret names, got " + describe(e.value()));
      return out;
    }
    Map<String, Node> seen = new HashMap<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      Node item = seq.getValue().get(i);
      String p = path + "[" + i + "]";
      if (!isString(item)) {
        problems.error(item, p, "expected a secret name as a string, got " + describe(item));
        continue;
      }
      String s = text(item);
      if (!SECRET_NAME.matcher(s).matches() || s.length() > 253) {
        problems.error(item, p, "secret name " + Fields.quote(s) + " must start and end with a letter or digit and contain only letters, digits, '_', '-' and '.' (at most 253)");
        continue;
      }
      Node first = seen.putIfAbsent(s, item);
      if (first != null) {
        problems.error(item, p, "secret " + Fields.quote(s) + " is listed twice (first at " + Problems.where(first) + ")");
        continue;
      }
      out.add(s);
    }
    return out;
  }

  Map<String, String> nodeSelector(Entry e, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (e == null) return out;
    if (!(e.value() instanceof MappingNode m)) {
      problems.error(e.keyNode(), path, "expected a mapping of label names to values, got " + describe(e.value()));
      return out;
    }
    for (Entry l : Fields.entries(m)) {
      String p = child(path, l.key());
      if (out.containsKey(l.key())) continue; // duplicate key, already reported
      if (!isLabelKey(l.key())) {
        problems.error(l.keyNode(), p, Fields.quote(l.key()) + " is not a valid label name (up to 63 letters, digits, '-', '_' or '.', optionally after a DNS prefix and '/')");
        continue;
      }
      if (!isPlainScalar(l.value())) {
        problems.error(l.keyNode(), p, "expected a label value as a string, got " + describe(l.value()));
        continue;
      }
      String value = text(l.value());
      if (!value.isEmpty() && !LABEL_NAME.matcher(value).matches()) {
        problems.error(l.keyNode(), p, "label value " + describe(l.value()) + " must be empty or up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
        continue;
      }
      out.put(l.key(), value);
    }
    return out;
  }

  private static boolean isLabelKey(String key) {
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) return false;
    }
    return LABEL_NAME.matcher(name).matches();
  }

  /** {@code running: {seconds: N}}: ready once the process has run N seconds. */
  private Readiness running(MappingNode m, String path) {
    Map<String, Entry> f = known(m, path, List.of("seconds"), null);
    Entry seconds = require(f, "seconds", m, path);
    if (seconds == null) return null;
    Long n = integer(seconds.value());
    if (n == null || n < 0 || n > Readiness.MAX_RUNNING_SECONDS) {
      problems.error(seconds.keyNode(), child(path, "seconds"), "expected a whole number of seconds from 0 to "
          + Readiness.MAX_RUNNING_SECONDS + ", got " + describe(seconds.value()));
      return null;
    }
    return new Readiness(Readiness.Type.RUNNING, null, null, n.intValue());
  }

  Readiness readiness(Entry e, String path) {
    if (e == null) return null;
    String shape = "expected one of {http: {port: 8080, path: /health}}, {tcp: {port: 9000}}, {running: true} or "
        + "{running: {seconds: 30}}";
    if (!(e.value() instanceof MappingNode m) || m.getValue().isEmpty()) {
      problems.error(e.keyNode(), path, shape + ", got " + describe(e.value()));
      return null;
    }
    Map<String, Entry> f = known(m, path, READINESS_KINDS, null);
    if (f.size() > 1) {
      problems.error(e.keyNode(), path, "readiness takes exactly one of http, tcp or running, got " + String.join(", ", f.keySet()));
      return null;
    }
    if (f.isEmpty()) return null; // the unknown key was reported
    Entry kind = f.values().iterator().next();
    String p = child(path, kind.key());
    switch (kind.key()) {
      case "running" -> {
        if (kind.value() instanceof MappingNode rm) return running(rm, p);
        if (!kind.value().getTag().equals(Tag.BOOL) || !yamlBoolean(text(kind.value()))) {
          problems.error(kind.keyNode(), p, "expected true or {seconds: N}, got " + describe(kind.value()));
          return null;
        }
        return new Readiness(Readiness.Type.RUNNING, null, null);
      }
      case "tcp", "http" -> {
        boolean http = kind.key().equals("http");
        if (!(kind.value() instanceof MappingNode km)) {
          problems.error(kind.keyNode(), p, "expected a mapping with port" + (http ? " and path" : "") + ", got " + describe(kind.value()));
          return null;
        }
        Map<String, Entry> kf = known(km, p, http ? List.of("port", "path") : List.of("port"), null);
        Entry port = require(kf, "port", km, p);
        Integer portNumber = null;
        if (port != null) {
          Long n = integer(port.value());
          if (n == null || n < 1 || n > 65535) {
            problems.error(port.keyNode(), child(p, "port"), "expected a port from 1 to 65535, got " + describe(port.value()));
          } else {
            portNumber = n.intValue();
          }
        }
        String httpPath = http ? "/" : null;
        Entry pe = kf.get("path");
        if (pe != null) {
          if (!isString(pe.value()) || !text(pe.value()).startsWith("/") || text(pe.value()).chars().anyMatch(ch -> ch <= ' ')) {
            problems.error(pe.keyNode(), child(p, "path"), "expected an HTTP path starting with '/' and without spaces, got " + describe(pe.value()));
          } else {
            httpPath = text(pe.value());
          }
        }
        return portNumber == null ? null : new Readiness(http ? Readiness.Type.HTTP : Readiness.Type.TCP, portNumber, httpPath);
      }
      default -> throw new IllegalStateException(kind.key());
    }
  }

}
