package io.keepalive.cluster;

import io.keepalive.testing.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the local cluster may change on the machine, read from the machine itself: kernel tunables,
 * network links, the nftables ruleset, mounts and host directories the components create, kubepods
 * cgroups and the processes of the cluster's binaries. Taken before the cluster starts and after
 * its teardown, the two must be equal.
 */
record HostState(
    Set<String> sysctls,
    Set<String> links,
    String nftRuleset,
    Set<String> mounts,
    Set<String> hostDirs,
    Set<String> cgroups,
    Set<String> processes) {

  /** Counters and per-boot values that change by themselves. */
  private static final Pattern VOLATILE_SYSCTL =
      Pattern.compile(
          "^(kernel\\.random\\.|kernel\\.ns_last_pid|fs\\.(dentry|inode|file-nr|quota)|kernel\\.sched_|"
              + "net\\.netfilter\\.nf_conntrack_count|kernel\\.perf_event|fs\\.aio-nr|vm\\.stat).*");

  private static final List<String> HOST_DIRS =
      List.of("/run/containerd", "/var/lib/kubelet", "/var/log/containers", "/var/lib/cni");

  static HostState read() {
    Path clusterDir = Path.of(LocalCluster.env().get("C"));
    Path binaries = Path.of(LocalCluster.env().get("K8S_BIN"));
    Set<String> sysctls =
        lines(Processes.run(List.of("sysctl", "-a")).stdout()).stream()
            .filter(line -> !VOLATILE_SYSCTL.matcher(line).matches())
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> links =
        lines(Processes.run(List.of("ip", "-o", "link", "show")).requireSuccess().stdout()).stream()
            .map(line -> line.split(":\\s+")[1].replaceAll("@.*", ""))
            .collect(Collectors.toCollection(TreeSet::new));
    String nft = Processes.run(List.of("nft", "list", "ruleset")).requireSuccess().stdout();
    Set<String> mounts =
        lines(readFile(Path.of("/proc/self/mounts"))).stream()
            .map(line -> line.split(" ")[1])
            .filter(
                point ->
                    point.startsWith(clusterDir + "/")
                        || HOST_DIRS.stream().anyMatch(point::startsWith))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> dirs =
        HOST_DIRS.stream()
            .filter(dir -> Files.exists(Path.of(dir)))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> cgroups;
    try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
      cgroups =
          hierarchies
              .flatMap(h -> Stream.of(h.resolve("kubepods"), h.resolve("kubepods.slice")))
              .filter(Files::isDirectory)
              .map(Path::toString)
              .collect(Collectors.toCollection(TreeSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<String> processes =
        ProcessHandle.allProcesses()
            .map(p -> p.info().command().orElse(""))
            .filter(
                cmd ->
                    cmd.startsWith(binaries + "/")
                        || cmd.endsWith("/containerd")
                        || cmd.endsWith("/containerd-shim-runc-v2"))
            .collect(Collectors.toCollection(TreeSet::new));
    return new HostState(sysctls, links, nft, mounts, dirs, cgroups, processes);
  }

  /** One line per difference ("sysctl: - before / + after"), empty when the states are equal. */
  List<String> differencesTo(HostState after) {
    List<String> out = new ArrayList<>();
    diff(out, "sysctl", sysctls, after.sysctls);
    diff(out, "link", links, after.links);
    if (!Objects.equals(nftRuleset, after.nftRuleset)) {
      out.add("nftables ruleset before:\n" + nftRuleset + "\nafter:\n" + after.nftRuleset);
    }
    diff(out, "mount", mounts, after.mounts);
    diff(out, "host directory", hostDirs, after.hostDirs);
    diff(out, "cgroup", cgroups, after.cgroups);
    diff(out, "process", processes, after.processes);
    return out;
  }

  private static void diff(List<String> out, String what, Set<String> before, Set<String> after) {
    before.stream().filter(x -> !after.contains(x)).forEach(x -> out.add(what + ": - " + x));
    after.stream().filter(x -> !before.contains(x)).forEach(x -> out.add(what + ": + " + x));
  }

  private static List<String> lines(String text) {
    return Arrays.stream(text.split("\n")).filter(line -> !line.isBlank()).toList();
  }

  private static String readFile(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
