package ai.dynamo.deploy.cli;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Build time only (cli/pom.xml, after the shade plugin and before {@link ClassDataArchive}): rewrites the shaded jar's
 * picocli classes, Java 5 class files, as Java 6 class files with stack map frames, the same code otherwise. JDK 17
 * archives a class file older than Java 6 unverified, so every start verified picocli's classes again with the old
 * type-inferring verifier (about 15-20 ms of {@code --help}); a Java 6 class file is verified once, at the archive's
 * dump, and mapped as verified. Java 6, not later: the one version step that brings stack maps, nothing else (Java 7
 * would require them; Java 9 changes the rules for final fields). ASM computes the frames (a {@code provided}
 * dependency: used here only, not in the jar).
 */
final class StackMapUpgrade {
  /** The class-file major version of Java 6: the first with stack map frames and verification at dump time. */
  static final int JAVA_6 = 50;

  private StackMapUpgrade() {}

  /** @param args the jar to rewrite in place, then the package prefixes whose old class files to upgrade */
  public static void main(String[] args) throws IOException {
    int n = upgrade(Path.of(args[0]), List.of(args).subList(1, args.length));
    System.out.println("stack map frames added to " + n + " class files of " + args[0]);
  }

  /**
   * Rewrites, in {@code jar}, each class file under one of {@code prefixes} (e.g. {@code "picocli/"}) whose version is
   * older than Java 6; leaves every other entry as it was.
   *
   * @return how many class files were rewritten
   */
  static int upgrade(Path jar, List<String> prefixes) throws IOException {
    int upgraded = 0;
    // Frames need the common superclass of two types: ASM loads them, without initialising, from the jar itself.
    try (URLClassLoader types = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
         FileSystem zip = FileSystems.newFileSystem(jar)) {
      for (String prefix : prefixes) {
        Path root = zip.getPath("/" + prefix);
        if (!Files.isDirectory(root)) throw new IOException("no " + prefix + " in " + jar);
        List<Path> classes;
        try (Stream<Path> files = Files.walk(root)) {
          classes = files.filter(f -> f.toString().endsWith(".class")).sorted().toList();
        }
        for (Path file : classes) {
          byte[] old = Files.readAllBytes(file);
          if (majorVersion(old) >= JAVA_6) continue;
          Files.write(file, withFrames(old, types));
          upgraded++;
        }
      }
    }
    return upgraded;
  }

  static int majorVersion(byte[] classFile) {
    return ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
  }

  private static byte[] withFrames(byte[] classFile, ClassLoader types) {
    ClassWriter out = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
      @Override
      protected ClassLoader getClassLoader() {
        return types;
      }
    };
    new ClassReader(classFile).accept(new ToJava6(out), 0);
    return out.toByteArray();
  }

  /** Passes a class through unchanged but for its version. */
  private static final class ToJava6 extends ClassVisitor {
    ToJava6(ClassVisitor next) {
      super(Opcodes.ASM9, next);
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
      super.visit(Opcodes.V1_6, access, name, signature, superName, interfaces);
    }
  }
}
