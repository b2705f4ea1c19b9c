package io.keepalive.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Both servers' memory once a second, read from the host: the process's resident set (VmRSS, and
 * its anonymous part RssAnon: heap, stacks, JIT code, Go's heap; the rest is the mapped binary,
 * jars and the CDS archive) and the memory cgroup's usage (what a pod's limit counts).
 */
final class MemorySampler {
  /** One reading of both servers, in KiB. */
  record Sample(
      Instant at,
      long operatorRss,
      long operatorAnon,
      long operatorCgroup,
      long kyvernoRss,
      long kyvernoAnon,
      long kyvernoCgroup) {}

  private final List<Sample> samples = new ArrayList<>();
  private KyvernoComparison.Server operator;
  private KyvernoComparison.Server kyverno;
  private Thread thread;

  synchronized void start(KyvernoComparison.Server operator, KyvernoComparison.Server kyverno) {
    this.operator = operator;
    this.kyverno = kyverno;
    thread =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                Sample sample = now();
                synchronized (this) {
                  samples.add(sample);
                }
                try {
                  Thread.sleep(1000);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "memory-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  synchronized void stop() throws InterruptedException {
    if (thread != null) {
      thread.interrupt();
      thread.join(5000);
      thread = null;
    }
  }

  Sample now() {
    return new Sample(
        Instant.now(),
        status(operator.pid(), "VmRSS"),
        status(operator.pid(), "RssAnon"),
        cgroupUsage(operator.cgroup()),
        status(kyverno.pid(), "VmRSS"),
        status(kyverno.pid(), "RssAnon"),
        cgroupUsage(kyverno.cgroup()));
  }

  synchronized List<Sample> between(Instant from, Instant to) {
    return samples.stream().filter(s -> !s.at().isBefore(from) && !s.at().isAfter(to)).toList();
  }

  static long max(List<Sample> samples, ToLongFunction<Sample> field) {
    return samples.stream().mapToLong(field).max().orElse(0);
  }

  /** A field of /proc/PID/status in KiB, 0 once the process is gone. */
  static long status(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("\\D+", ""));
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }

  /** cgroup v2 memory.current or v1 memory.usage_in_bytes, in KiB. */
  static long cgroupUsage(Path cgroup) {
    for (String file : List.of("memory.current", "memory.usage_in_bytes")) {
      Path path = cgroup.resolve(file);
      if (Files.exists(path)) {
        try {
          return Long.parseLong(Files.readString(path).trim()) / 1024;
        } catch (IOException e) {
          return 0;
        }
      }
    }
    return 0;
  }
}
