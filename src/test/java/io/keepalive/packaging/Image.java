package io.keepalive.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A docker-archive image tarball as the build writes it (`docker save` layout: manifest.json, the
 * config, one blob per layer, gzipped or not), read without a container runtime: what a runtime
 * would see.
 */
final class Image {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One file of a layer: its path without the leading "./" or "/", owner, mode bits, size, the
   * SHA-256 of its content (files only) and the content itself if small.
   */
  record Entry(
      String path,
      long uid,
      long gid,
      int mode,
      boolean directory,
      String linkTarget,
      long size,
      String sha256,
      byte[] content) {
    String text() {
      return new String(content, StandardCharsets.UTF_8);
    }
  }

  /** A layer: its file name in the archive and its entries, in archive order. */
  record Layer(String name, List<Entry> entries) {
    Entry find(String path) {
      return entries.stream()
          .filter(e -> e.path().equals(path))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + path + " in layer " + name));
    }
  }

  final Path tarball;
  final List<String> repoTags;
  final JsonNode config;
  final List<Layer> layers;

  private Image(Path tarball, List<String> repoTags, JsonNode config, List<Layer> layers) {
    this.tarball = tarball;
    this.repoTags = repoTags;
    this.config = config;
    this.layers = layers;
  }

  /** The image `./mvnw package` built (failsafe runs after it). */
  static Image built() {
    Path tarball =
        Path.of(
            System.getProperty(
                "tests.image.tarball",
                Packaging.projectDir().resolve("target/keepalive-operator-image.tar").toString()));
    if (!Files.isRegularFile(tarball)) {
      throw new IllegalStateException(
          tarball
              + " is missing: `./mvnw package` builds it (Quarkus' Jib extension, "
              + "from the base image of hack/base-image.sh) unless -Dquarkus.container-image.build=false");
    }
    return read(tarball);
  }

  /**
   * The base image the build uses, built by hack/base-image.sh into the cache outside the
   * repository.
   */
  static Image base() {
    Path tarball = Path.of(System.getProperty("tests.base-image"));
    if (!Files.isRegularFile(tarball)) {
      throw new IllegalStateException(
          tarball + " is missing: build it with `bash hack/base-image.sh`");
    }
    return read(tarball);
  }

  static Image read(Path tarball) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tarball))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.isFile()) {
          files.put(e.getName().replaceFirst("^\\./", ""), in.readAllBytes());
        }
      }
      JsonNode manifest = JSON.readTree(required(files, "manifest.json", tarball)).get(0);
      List<String> tags = new ArrayList<>();
      manifest.path("RepoTags").forEach(t -> tags.add(t.asText()));
      JsonNode config = JSON.readTree(required(files, manifest.get("Config").asText(), tarball));
      List<Layer> layers = new ArrayList<>();
      for (JsonNode name : manifest.get("Layers")) {
        layers.add(new Layer(name.asText(), entries(required(files, name.asText(), tarball))));
      }
      return new Image(tarball, List.copyOf(tags), config, List.copyOf(layers));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + tarball, e);
    }
  }

  private static byte[] required(Map<String, byte[]> files, String name, Path tarball) {
    byte[] content = files.get(name);
    if (content == null) {
      throw new AssertionError(tarball + " has no " + name + "; it has " + files.keySet());
    }
    return content;
  }

  /**
   * Entries of a layer blob; file contents are kept for small files only (passwd, release), not for
   * jars.
   */
  private static List<Entry> entries(byte[] blob) throws IOException {
    boolean gzip = blob.length > 2 && (blob[0] & 0xff) == 0x1f && (blob[1] & 0xff) == 0x8b;
    InputStream raw = new java.io.ByteArrayInputStream(blob);
    List<Entry> out = new ArrayList<>();
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(gzip ? new GZIPInputStream(raw) : raw)) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        byte[] content = new byte[0];
        String sha256 = null;
        if (e.isFile()) {
          MessageDigest digest = sha256();
          ByteArrayOutputStream small = new ByteArrayOutputStream();
          byte[] buffer = new byte[64 * 1024];
          for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
            digest.update(buffer, 0, n);
            if (e.getSize() <= 64 * 1024) {
              small.write(buffer, 0, n);
            }
          }
          sha256 = HexFormat.of().formatHex(digest.digest());
          content = small.toByteArray();
        }
        String path =
            e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "").replaceFirst("/$", "");
        out.add(
            new Entry(
                path,
                e.getLongUserId(),
                e.getLongGroupId(),
                e.getMode() & 07777,
                e.isDirectory(),
                e.isSymbolicLink() || e.isLink() ? e.getLinkName() : null,
                e.getSize(),
                sha256,
                content));
      }
    }
    return out;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every entry of every layer, base first. */
  List<Entry> entries() {
    return layers.stream().flatMap(l -> l.entries().stream()).toList();
  }

  /** The entry at a path in the image's filesystem (the topmost layer that has it). */
  Entry file(String path) {
    Entry found = null;
    for (Entry e : entries()) {
      if (e.path().equals(path)) {
        found = e;
      }
    }
    if (found == null) {
      throw new AssertionError("no " + path + " in the image " + tarball);
    }
    return found;
  }

  boolean has(String path) {
    return entries().stream().anyMatch(e -> e.path().equals(path));
  }

  List<String> entrypoint() {
    return texts(config.at("/config/Entrypoint"));
  }

  List<String> cmd() {
    return texts(config.at("/config/Cmd"));
  }

  String user() {
    return config.at("/config/User").asText();
  }

  String workingDir() {
    return config.at("/config/WorkingDir").asText();
  }

  /** The image's environment as name -> value, in order. */
  Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String pair : texts(config.at("/config/Env"))) {
      int eq = pair.indexOf('=');
      env.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return env;
  }

  List<String> exposedPorts() {
    List<String> ports = new ArrayList<>();
    config.at("/config/ExposedPorts").fieldNames().forEachRemaining(ports::add);
    return ports;
  }

  List<String> diffIds() {
    return texts(config.at("/rootfs/diff_ids"));
  }

  /**
   * The modules the image's Java runtime holds, from its release file (jlink writes MODULES="a b
   * c").
   */
  List<String> javaModules() {
    for (String line : file("opt/java/release").text().split("\n")) {
      if (line.startsWith("MODULES=")) {
        return List.of(line.substring("MODULES=".length()).replace("\"", "").trim().split("\\s+"));
      }
    }
    throw new AssertionError("no MODULES line in opt/java/release of " + tarball);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
