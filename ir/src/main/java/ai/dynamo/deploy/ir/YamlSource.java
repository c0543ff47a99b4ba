package ai.dynamo.deploy.ir;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Turns a file into a YAML node tree with source positions, refusing hostile input before and while parsing:
 * oversized or non-UTF-8 files, alias bombs, deep nesting, duplicate keys, unknown tags. Every refusal is a
 * {@link Problem}; nothing here throws.
 */
final class YamlSource {
  private YamlSource() {}

  /** A graph file is a few kilobytes; a megabyte is far beyond any real one. */
  static final int MAX_BYTES = 1024 * 1024;
  /**
   * SnakeYAML scans one token in time quadratic in its length (its read window grows by copying), so a single 1 MB
   * line takes seconds; no line of a real graph is anywhere near this long.
   */
  static final int MAX_LINE_CHARS = 16 * 1024;
  /** A graph is five levels deep; anything much deeper is not a graph. */
  static final int MAX_NESTING_DEPTH = 32;
  /** Anchors for shared blocks are fine; thousands of aliases are an alias bomb. */
  static final int MAX_COLLECTION_ALIASES = 50;

  private static final Resolver RESOLVER = new Resolver();

  private static final Set<Tag> KNOWN_TAGS =
      Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ, Tag.TIMESTAMP, Tag.MERGE);

  /** Reads and parses a file; null when it cannot be parsed (the reason is in {@code problems}). */
  static Node read(Path file, Problems problems) {
    if (Files.isDirectory(file)) {
      problems.fileError("is a directory, not a graph file");
      return null;
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // Read at most one byte past the limit: a device or pipe that never ends is refused like a big file.
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (NoSuchFileException e) {
      problems.fileError("no such file");
      return null;
    } catch (AccessDeniedException e) {
      problems.fileError("cannot read the file: permission denied");
      return null;
    } catch (IOException e) {
      problems.fileError("cannot read the file: " + e.getMessage());
      return null;
    }
    if (bytes.length > MAX_BYTES) {
      problems.fileError("file is larger than the limit of " + MAX_BYTES + " bytes (1 MiB); a graph file is a few kilobytes");
      return null;
    }
    String text = decodeUtf8(bytes, problems);
    return text == null ? null : parse(text, problems);
  }

  /** Parses YAML text; null when it cannot be parsed (the reason is in {@code problems}). */
  static Node parse(String text, Problems problems) {
    if (text.length() > MAX_BYTES) {
      problems.fileError("file is larger than the limit of " + MAX_BYTES + " bytes (1 MiB); a graph file is a few kilobytes");
      return null;
    }
    if (text.startsWith("\uFEFF")) text = text.substring(1);
    if (text.isEmpty()) {
      problems.fileError("file is empty; expected a graph with version, name and components");
      return null;
    }
    if (!checkLineLengths(text, problems)) return null;
    Node root;
    try {
      root = compose(text);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String what = e.getProblem() != null ? e.getProblem() : e.getContext();
      Mark context = e.getContextMark();
      if (e.getContext() != null && e.getProblem() != null) {
        // "while scanning a quoted scalar (line 2, column 7): found unexpected end of stream"
        boolean elsewhere = context != null && mark != null && context.getLine() != mark.getLine();
        what = e.getContext() + (elsewhere ? " (line " + (context.getLine() + 1) + ", column " + (context.getColumn() + 1) + ")" : "")
            + ": " + e.getProblem();
      }
      String plain = YamlSyntaxWords.describe(e.getContext(), context, e.getProblem());
      if (plain != null) what = plain;
      if (mark == null) problems.fileError("invalid YAML: " + oneLine(what));
      else problems.errorAt(mark.getLine() + 1, mark.getColumn() + 1, "", "invalid YAML: " + oneLine(what));
      return null;
    } catch (YAMLException e) {
      Mark alias = isAliasLimit(e) ? aliasOverLimit(text) : null;
      if (alias != null) problems.errorAt(alias.getLine() + 1, alias.getColumn() + 1, "", describeLimit(e));
      else problems.fileError(describeLimit(e));
      return null;
    } catch (StackOverflowError e) {
      // The nesting limit should make this unreachable; refuse rather than crash if it is not.
      problems.fileError("nesting is too deep (the limit is " + MAX_NESTING_DEPTH + " levels)");
      return null;
    }
    if (root == null) {
      problems.fileError("file has no YAML content; expected a graph with version, name and components");
      return null;
    }
    checkStructure(root, "", problems, Collections.newSetFromMap(new IdentityHashMap<>()));
    return root;
  }

  private static boolean checkLineLengths(String text, Problems problems) {
    int line = 1;
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '\n') {
        if (i - start > MAX_LINE_CHARS) {
          problems.errorAt(line, MAX_LINE_CHARS + 1, "", "line is longer than the limit of " + MAX_LINE_CHARS + " characters");
          return false;
        }
        line++;
        start = i + 1;
      }
    }
    return true;
  }

  /**
   * What {@code new Yaml(options()).compose(...)} does, without the {@code Yaml} object: its constructor (which
   * composing never uses) sets up java.util.logging, a sizeable part of a {@code dynamo validate}'s start-up.
   */
  private static Node compose(String text) {
    LoaderOptions options = options();
    return new Composer(new ParserImpl(new StreamReader(new StringReader(text)), options), new Resolver(), options)
        .getSingleNode();
  }

  private static LoaderOptions options() {
    LoaderOptions o = new LoaderOptions();
    o.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
    o.setAllowRecursiveKeys(false);
    o.setNestingDepthLimit(MAX_NESTING_DEPTH);
    o.setCodePointLimit(MAX_BYTES);
    // "<<: *defaults" works as users expect; the merged keys keep the positions where they were written.
    o.setMergeOnCompose(true);
    return o;
  }

  private static boolean isAliasLimit(YAMLException e) {
    return e.getMessage() != null && e.getMessage().contains("aliases");
  }

  /**
   * Where the alias that crossed {@link #MAX_COLLECTION_ALIASES} is: SnakeYAML's composer refuses it without a
   * position, so the events are read again (cheap: events do not expand aliases) counting aliases of anchored
   * collections the way the composer does. Null when the count does not cross the limit after all.
   */
  static Mark aliasOverLimit(String text) {
    Map<String, Boolean> collectionAnchors = new HashMap<>();
    int count = 0;
    for (Event event : new Yaml(options()).parse(new StringReader(text))) {
      if (event instanceof CollectionStartEvent start && start.getAnchor() != null) {
        collectionAnchors.put(start.getAnchor(), true);
      } else if (event instanceof ScalarEvent scalar && scalar.getAnchor() != null) {
        collectionAnchors.put(scalar.getAnchor(), false);
      } else if (event instanceof AliasEvent alias && collectionAnchors.getOrDefault(alias.getAnchor(), false)) {
        if (++count > MAX_COLLECTION_ALIASES) return alias.getStartMark();
      }
    }
    return null;
  }

  private static String describeLimit(YAMLException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    if (isAliasLimit(e)) {
      return "too many aliases (more than " + MAX_COLLECTION_ALIASES + " references to anchored blocks); refusing a possible alias bomb";
    }
    if (m.contains("Nesting Depth")) return "nesting is too deep (the limit is " + MAX_NESTING_DEPTH + " levels)";
    if (m.contains("code points")) {
      return "file is larger than the limit of " + MAX_BYTES + " characters (1 MiB); a graph file is a few kilobytes";
    }
    return "invalid YAML: " + oneLine(m);
  }

  private static String oneLine(String s) {
    return s == null ? "unreadable input" : s.replaceAll("\\s+", " ").trim();
  }

  /** Strict UTF-8: the first malformed byte is an error with its line and column. */
  private static String decodeUtf8(byte[] bytes, Problems problems) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult r = decoder.decode(in, out, true);
    if (r.isError()) {
      int bad = in.position();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < bad; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      int column = new String(bytes, lineStart, bad - lineStart, StandardCharsets.UTF_8).length() + 1;
      problems.errorAt(line, column, "", String.format("file is not valid UTF-8 (byte 0x%02x); save it as UTF-8", bytes[bad] & 0xff));
      return null;
    }
    decoder.flush(out);
    out.flip();
    return out.toString();
  }

  /**
   * Checks the whole tree, also below keys the validator does not know: duplicate keys (SnakeYAML's own check
   * only runs when constructing Java objects), keys that are not scalars, and tags outside YAML's core schema.
   */
  private static void checkStructure(Node node, String path, Problems problems, Set<Node> seen) {
    if (!seen.add(node)) return; // an alias to a node already checked (also stops recursive aliases)
    if (!KNOWN_TAGS.contains(node.getTag())) {
      problems.error(node, path, "unsupported YAML tag " + node.getTag().getValue() + "; write a plain value");
      // Go on as if the tag were not there, so the rest of the file is still checked.
      node.setTag(node instanceof MappingNode ? Tag.MAP : node instanceof SequenceNode ? Tag.SEQ : Tag.STR);
    } else if (node instanceof ScalarNode scalar && !node.getTag().equals(Tag.STR)) {
      // "!!int abc": an explicit core tag on text that is not of that type; everything after relies on the tag.
      Tag implicit = RESOLVER.resolve(NodeId.scalar, scalar.getValue(), true);
      if (!implicit.equals(node.getTag())) {
        problems.error(node, path, "the value does not match its tag " + node.getTag().getValue().replace(Tag.PREFIX, "!!")
            + "; remove the tag");
        node.setTag(Tag.STR);
      }
    }
    if (node instanceof MappingNode map) {
      Map<String, Node> firstKeys = new HashMap<>();
      for (NodeTuple t : map.getValue()) {
        Node key = t.getKeyNode();
        if (!(key instanceof ScalarNode scalar)) {
          problems.error(key, path, "a key must be a plain name, not a " + (key instanceof MappingNode ? "mapping" : "list"));
          continue;
        }
        String childPath = Fields.child(path, scalar.getValue());
        Node first = firstKeys.putIfAbsent(scalar.getValue(), key);
        if (first != null) {
          problems.error(key, childPath, "duplicate key \"" + scalar.getValue() + "\" (first given at " + Problems.where(first) + ")");
        }
        checkStructure(t.getValueNode(), childPath, problems, seen);
      }
    } else if (node instanceof SequenceNode seq) {
      for (int i = 0; i < seq.getValue().size(); i++) {
        checkStructure(seq.getValue().get(i), path + "[" + i + "]", problems, seen);
      }
    }
  }
}
