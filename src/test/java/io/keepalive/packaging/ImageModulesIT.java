package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.projectDir;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The Java modules of the image's jlink'd runtime (hack/base-image.modules) against what the
 * application references (jdeps over target/quarkus-app): a new dependency that needs a module the
 * runtime lacks fails here, before it fails in a pod with NoClassDefFoundError. ImageRootfsIT
 * proves the list by running every mode.
 */
class ImageModulesIT {
  static final Path MODULES_FILE = projectDir().resolve("hack/base-image.modules");

  /** The modules file: module -> reason; a leading '-' marks a module left out on purpose. */
  record ModuleList(Map<String, String> included, Map<String, String> excluded) {
    static ModuleList read() throws IOException {
      Map<String, String> included = new LinkedHashMap<>();
      Map<String, String> excluded = new LinkedHashMap<>();
      for (String line : Files.readAllLines(MODULES_FILE)) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int hash = line.indexOf('#');
        String module = (hash < 0 ? line : line.substring(0, hash)).trim();
        String reason = hash < 0 ? "" : line.substring(hash + 1).trim();
        if (module.startsWith("-")) {
          excluded.put(module.substring(1), reason);
        } else {
          included.put(module, reason);
        }
      }
      return new ModuleList(included, excluded);
    }
  }

  @Test
  void runtimeHoldsExactlyTheListedModules() throws IOException {
    ModuleList list = ModuleList.read();
    List<String> inImage = Image.base().javaModules();
    for (Map.Entry<String, String> m : list.included().entrySet()) {
      assertFalse(m.getValue().isEmpty(), m.getKey() + " needs a reason in " + MODULES_FILE);
      assertTrue(
          inImage.contains(m.getKey()),
          m.getKey()
              + " is listed but not in the runtime "
              + inImage
              + ": rebuild the base image with `bash hack/base-image.sh`");
    }
    for (Map.Entry<String, String> m : list.excluded().entrySet()) {
      assertFalse(
          m.getValue().isEmpty(), m.getKey() + " is left out without a reason in " + MODULES_FILE);
      assertFalse(
          inImage.contains(m.getKey()), m.getKey() + " is left out but in the runtime " + inImage);
    }
    assertEquals(
        Image.base().javaModules(),
        Image.built().javaModules(),
        "the image's runtime is the base image's");
  }

  @Test
  void everyModuleTheApplicationReferencesIsInTheRuntimeOrLeftOutWithAReason() throws Exception {
    ModuleList list = ModuleList.read();
    Set<String> referenced = referencedModules(projectDir().resolve("target/quarkus-app"));
    assertTrue(
        referenced.contains("java.logging") && referenced.contains("jdk.unsupported"),
        "jdeps found too little, the check would prove nothing: " + referenced);
    List<String> inImage = Image.base().javaModules();
    Set<String> unaccounted = new TreeSet<>();
    for (String module : referenced) {
      if (!inImage.contains(module) && !list.excluded().containsKey(module)) {
        unaccounted.add(module);
      }
    }
    assertEquals(
        Set.of(),
        unaccounted,
        "the application references modules the image's runtime lacks: add them to "
            + "hack/base-image.modules (then `bash hack/base-image.sh`), or leave them out there with the reason");
  }

  /**
   * jdeps over every class the fast-jar runs (application, generated, libraries). Each jar is
   * unpacked into its own class directory first: jdeps resolves a modular jar given as input as a
   * module and stops at its first missing requirement, while a directory of classes is analysed
   * class by class. The directories are split in two halves analysed at once (in process, two
   * cores): about 170 MB of classes take jdeps most of a minute.
   */
  static Set<String> referencedModules(Path quarkusApp) throws Exception {
    Path classes = Files.createTempDirectory("jdeps-classes");
    try {
      List<Path> dirs = new ArrayList<>();
      try (Stream<Path> jars = Files.walk(quarkusApp)) {
        for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
          Path dir = classes.resolve(Integer.toString(dirs.size()));
          unpackClasses(jar, dir);
          dirs.add(dir);
        }
      }
      List<List<Path>> halves = List.of(new ArrayList<>(), new ArrayList<>());
      for (int i = 0; i < dirs.size(); i++) {
        halves.get(i % 2).add(dirs.get(i));
      }
      Set<String> modules = new TreeSet<>();
      for (String output : halves.parallelStream().map(ImageModulesIT::jdepsSummary).toList()) {
        for (String line : output.split("\n")) {
          // "<dir> -> java.logging"; also "-> not found" and "-> JDK removed internal API": no
          // module
          String[] parts = line.trim().split("\\s+->\\s+");
          if (parts.length == 2 && parts[1].matches("(java|jdk)\\.[a-z.]+")) {
            modules.add(parts[1]);
          }
        }
      }
      return modules;
    } finally {
      try (Stream<Path> files = Files.walk(classes)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String jdepsSummary(List<Path> dirs) {
    ToolProvider jdeps =
        ToolProvider.findFirst("jdeps")
            .orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
    List<String> args = new ArrayList<>(List.of("--multi-release", "17", "-summary"));
    dirs.forEach(d -> args.add(d.toString()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = jdeps.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
    assertEquals(0, exit, "jdeps failed: " + err);
    return out.toString();
  }

  private static void unpackClasses(Path jar, Path into) throws IOException {
    try (InputStream raw = Files.newInputStream(jar);
        ZipInputStream zip = new ZipInputStream(raw)) {
      Files.createDirectories(into);
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        String name = e.getName();
        if (e.isDirectory() || !name.endsWith(".class") || name.endsWith("module-info.class")) {
          continue;
        }
        Path target = into.resolve(name).normalize();
        if (!target.startsWith(into)) {
          throw new IOException(jar + " has an entry outside its root: " + name);
        }
        Files.createDirectories(target.getParent());
        Files.copy(zip, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
