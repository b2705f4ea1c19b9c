package io.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way: each package of the product uses only the packages listed for it here
 * (the README's Development section draws the same layers). Read from the compiled classes, so a
 * fully qualified name in the middle of a method counts as much as an import.
 */
class PackageLayersTest {
  /**
   * Package (below io.keepalive; "" is io.keepalive itself) and what it may use. Sub-packages
   * belong to theirs.
   */
  static final Map<String, Set<String>> MAY_USE =
      Map.ofEntries(
          Map.entry("policy", Set.of()),
          Map.entry("settings", Set.of()),
          Map.entry("pods", Set.of()),
          Map.entry("sidecar", Set.of("policy")),
          Map.entry("rules", Set.of("policy", "settings", "sidecar")),
          Map.entry("namespaces", Set.of("policy", "settings", "rules")),
          Map.entry(
              "operator", Set.of("policy", "settings", "sidecar", "rules", "namespaces", "pods")),
          Map.entry(
              "webhook", Set.of("policy", "settings", "sidecar", "rules", "namespaces", "pods")),
          Map.entry("agent", Set.of("policy", "sidecar")),
          Map.entry("check", Set.of("policy", "rules", "webhook")),
          Map.entry("", Set.of("agent", "sidecar", "check")));

  static final Path CLASSES = Path.of("target/classes/io/keepalive");
  static final Pattern REFERENCE = Pattern.compile("io/keepalive/(?:([a-z]+)/|[A-Z])");

  @Test
  void everyPackageUsesOnlyThoseBelowIt() throws IOException {
    List<String> violations = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    try (Stream<Path> files = Files.walk(CLASSES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String from = packageOf(CLASSES.relativize(file));
        seen.add(from);
        Set<String> allowed = MAY_USE.get(from);
        if (allowed == null) {
          violations.add(
              file + ": package " + from + " has no place in the layers; add it to MAY_USE");
          continue;
        }
        for (String used : packagesUsed(file)) {
          if (!used.equals(from) && !allowed.contains(used)) {
            violations.add(
                CLASSES.relativize(file)
                    + " uses io.keepalive"
                    + (used.isEmpty() ? "" : "." + used));
          }
        }
      }
    }
    assertEquals(List.of(), violations);
    assertEquals(
        new TreeSet<>(MAY_USE.keySet()),
        seen,
        "every layer has classes, and no class sits outside them");
  }

  @Test
  void theCheckSeesWhatAClassUses() throws IOException {
    // the control: the reconciler does use the rules and the namespace rules, so a wrong import
    // would be seen
    Set<String> used = packagesUsed(CLASSES.resolve("operator/KeepalivePolicyReconciler.class"));
    assertTrue(used.containsAll(Set.of("policy", "namespaces")), used.toString());
  }

  private static String packageOf(Path relative) {
    return relative.getNameCount() == 1 ? "" : relative.getName(0).toString();
  }

  /** The io.keepalive packages a class file names anywhere in its constant pool. */
  static Set<String> packagesUsed(Path classFile) throws IOException {
    Set<String> packages = new TreeSet<>();
    for (String text : utf8Constants(classFile)) {
      Matcher m = REFERENCE.matcher(text);
      while (m.find()) {
        packages.add(m.group(1) == null ? "" : m.group(1));
      }
    }
    return packages;
  }

  /**
   * The UTF-8 entries of a class file's constant pool: every class, descriptor and signature it
   * names.
   */
  private static List<String> utf8Constants(Path classFile) throws IOException {
    List<String> texts = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(classFile);
        DataInputStream in = new DataInputStream(raw)) {
      in.skipBytes(8); // magic, minor and major version
      int count = in.readUnsignedShort();
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> texts.add(in.readUTF());
          case 7, 8, 16, 19, 20 -> in.skipBytes(2);
          case 15 -> in.skipBytes(3);
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
          case 5, 6 -> {
            in.skipBytes(8);
            i++; // a long or double takes two entries
          }
          default -> throw new IOException(classFile + ": unknown constant pool tag " + tag);
        }
      }
    }
    return texts;
  }
}
