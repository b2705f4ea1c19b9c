package io.keepalive.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one way tests run a command to completion (kubectl, helm, bash, ip, cat, the application's
 * own JVM). Output goes to files, not pipes, so a child writing much to one stream while nobody
 * reads it cannot block, and the timeout always fires: a hung command is killed (with its children)
 * and the test fails naming it, instead of stalling CI.
 */
public final class Processes {
  /**
   * For commands that talk to the local control plane or render a chart: generous on a loaded
   * 2-core machine.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

  private Processes() {}

  /** What a finished command did; {@code output()} is stderr then stdout, for failure messages. */
  public record Result(
      List<String> command, int exit, String stdout, String stderr, Duration took) {
    public String output() {
      return stderr + stdout;
    }

    /**
     * This result when the exit code is 0; otherwise fails naming the command, its exit code and
     * output.
     */
    public Result requireSuccess() {
      if (exit != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + exit + ": " + output());
      }
      return this;
    }
  }

  public static Result run(List<String> command) {
    return run(DEFAULT_TIMEOUT, command, Map.of());
  }

  public static Result run(Duration timeout, List<String> command) {
    return run(timeout, command, Map.of());
  }

  /**
   * Runs {@code command} with stdin at EOF and {@code env} added to this JVM's environment, and
   * waits for it. Never throws on a non-zero exit (callers that expect failure look at it; others
   * call requireSuccess).
   */
  public static Result run(Duration timeout, List<String> command, Map<String, String> env) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("process-out", ".txt");
      err = Files.createTempFile("process-err", ".txt");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().putAll(env);
      long start = System.nanoTime();
      Process process = builder.start();
      // stdin at EOF: a command that unexpectedly reads it ends instead of waiting for input that
      // never comes
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            "timed out after "
                + timeout.toSeconds()
                + " s, killed: "
                + String.join(" ", command)
                + "\noutput so far:\n"
                + read(err)
                + read(out));
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      return new Result(List.copyOf(command), process.exitValue(), read(out), read(err), took);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /**
   * The command line of the real application entry point (io.keepalive.Main) on the test classpath,
   * as its own JVM: {@code args} are the mode and its arguments. Small, fast-starting JVM settings,
   * like the sidecar's.
   */
  public static List<String> app(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-Xmx64m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty(
                    "surefire.test.class.path", System.getProperty("java.class.path")),
                "io.keepalive.Main"));
    command.addAll(List.of(args));
    return command;
  }

  private static String read(Path file) throws IOException {
    // lenient decoding: a stray non-UTF-8 byte in a tool's output must not hide the result
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover temp file is no reason to fail the test that ran the command
      }
    }
  }
}
