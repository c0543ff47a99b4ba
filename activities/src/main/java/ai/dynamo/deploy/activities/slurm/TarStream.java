package ai.dynamo.deploy.activities.slurm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A POSIX ustar archive of regular files, built in memory for {@code tar -x} on the login node: one process there
 * writes every file of an apply (a process per file costs 10-50 ms on a busy login node). Only what that needs:
 * regular files with a mode, paths relative to the extraction directory, no owner (tar gives the files to the login
 * user), the current time as modification time.
 */
final class TarStream {
  private static final int BLOCK = 512;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final long mtime = System.currentTimeMillis() / 1000;
  private int entries;

  /** Adds a file; {@code path} is relative ({@code rev-1/web-0/job.sbatch}), {@code mode} octal such as 0700. */
  TarStream add(String path, int mode, byte[] content) {
    byte[] header = new byte[BLOCK];
    byte[] name = path.getBytes(StandardCharsets.UTF_8);
    if (path.isEmpty() || path.startsWith("/") || java.util.Arrays.asList(path.split("/")).contains("..")) {
      throw new IllegalArgumentException("not a relative path for the archive: " + path);
    }
    if (name.length <= 100) {
      System.arraycopy(name, 0, header, 0, name.length);
    } else { // ustar's prefix field holds the leading directories
      int cut = path.lastIndexOf('/', Math.min(path.length() - 1, 155));
      byte[] prefix = path.substring(0, Math.max(cut, 0)).getBytes(StandardCharsets.UTF_8);
      byte[] rest = path.substring(cut + 1).getBytes(StandardCharsets.UTF_8);
      if (cut <= 0 || prefix.length > 155 || rest.length > 100) {
        throw new IllegalArgumentException("path too long for the archive: " + path);
      }
      System.arraycopy(rest, 0, header, 0, rest.length);
      System.arraycopy(prefix, 0, header, 345, prefix.length);
    }
    octal(header, 100, 8, mode);
    octal(header, 108, 8, 0); // uid
    octal(header, 116, 8, 0); // gid
    octal(header, 124, 12, content.length);
    octal(header, 136, 12, mtime);
    header[156] = '0'; // a regular file
    ascii(header, 257, "ustar\0");
    ascii(header, 263, "00");
    for (int i = 148; i < 156; i++) header[i] = ' '; // the checksum counts its own field as spaces
    long sum = 0;
    for (byte b : header) sum += b & 0xff;
    octal(header, 148, 7, sum);
    header[155] = ' ';
    out.writeBytes(header);
    out.writeBytes(content);
    out.writeBytes(new byte[(BLOCK - content.length % BLOCK) % BLOCK]);
    entries++;
    return this;
  }

  boolean isEmpty() {
    return entries == 0;
  }

  /** The archive, closed with its two zero blocks. */
  byte[] bytes() {
    ByteArrayOutputStream whole = new ByteArrayOutputStream(out.size() + 2 * BLOCK);
    whole.writeBytes(out.toByteArray());
    whole.writeBytes(new byte[2 * BLOCK]);
    return whole.toByteArray();
  }

  /** {@code width - 1} octal digits and a NUL, as ustar's numeric fields are written. */
  private static void octal(byte[] header, int at, int width, long value) {
    String digits = Long.toOctalString(value);
    if (digits.length() > width - 1) throw new IllegalArgumentException("value too large for the archive: " + value);
    ascii(header, at, "0".repeat(width - 1 - digits.length()) + digits);
    header[at + width - 1] = 0;
  }

  private static void ascii(byte[] header, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, header, at, b.length);
  }
}
