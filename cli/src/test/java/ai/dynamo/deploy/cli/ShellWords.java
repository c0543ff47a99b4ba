package ai.dynamo.deploy.cli;

import java.util.ArrayList;
import java.util.List;

/** Splits a command line as a POSIX shell would for the forms we print: plain words and '...' (with '\'' inside). */
final class ShellWords {
  private ShellWords() {}

  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == ' ') {
        if (word != null) words.add(word.toString());
        word = null;
      } else if (c == '\'') {
        if (word == null) word = new StringBuilder();
        int end = line.indexOf('\'', i + 1);
        if (end < 0) throw new IllegalArgumentException("unterminated quote in " + line);
        word.append(line, i + 1, end);
        i = end;
      } else if (c == '\\' && i + 1 < line.length()) {
        if (word == null) word = new StringBuilder();
        word.append(line.charAt(++i));
      } else if ("\"$`;&|<>()*?[]{}~#".indexOf(c) >= 0) {
        throw new IllegalArgumentException("unquoted shell character " + c + " in " + line);
      } else {
        if (word == null) word = new StringBuilder();
        word.append(c);
      }
    }
    if (word != null) words.add(word.toString());
    return words;
  }
}
