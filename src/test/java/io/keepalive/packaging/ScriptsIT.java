package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.*;

import io.keepalive.testing.Processes.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shell scripts CI and users run: they parse, and none pipes a command into a reader that stops
 * early. Under {@code set -o pipefail} such a reader ({@code head}, {@code grep -q}) closes the
 * pipe while the writer still writes; the writer dies of SIGPIPE and the script exits 141. CI
 * failed exactly so on {@code etcd --version | head -1} when the machine was loaded (11 of 200 runs
 * under load).
 */
class ScriptsIT {
  /** A pipe into the next command: '|' or '|&', not '||'. */
  private static final String PIPE_INTO = "(?<!\\|)\\|&?(?!\\|)\\s*";

  /**
   * The rest of that pipeline stage: up to the next pipe, list operator or end of a command
   * substitution.
   */
  private static final String STAGE = "[^|;&)]*?";

  private static final Pattern HEAD = Pattern.compile(PIPE_INTO + "head\\b");

  /**
   * grep with an option, anywhere among its arguments (GNU grep permutes them), that stops reading
   * at the first match or after N: -q, -l, -L, -m N in any cluster, or their long names. Not -s
   * (that only hides errors).
   */
  private static final Pattern STOPPING_GREP =
      Pattern.compile(
          PIPE_INTO
              + "[ef]?grep\\b"
              + STAGE
              + "\\s(-[A-Za-z]*[qlLm][A-Za-z]*\\d*|--(quiet|silent|max-count|files-with-matches|files-without-match))(?![\\w-])");

  /** sed with a q or Q command (1q, '1p;q', '/re/q', 5Q): it exits before its input ends. */
  private static final Pattern QUITTING_SED =
      Pattern.compile(PIPE_INTO + "sed\\b[^|&)]*?(?<=[\\s'\";{}/$0-9])[qQ]\\d*(?=$|[\\s'\";}])");

  /**
   * Whether a line of shell pipes into a reader that may stop before its input ends. Single-quoted
   * text is blanked for head and grep, so a '|' inside a grep pattern does not split the stage;
   * sed's script is read as is.
   */
  static boolean pipesIntoEarlyExitReader(String code) {
    String unquoted = code.replaceAll("'[^'\"]*'", "''");
    return HEAD.matcher(unquoted).find()
        || STOPPING_GREP.matcher(unquoted).find()
        || QUITTING_SED.matcher(code).find();
  }

  private static List<Path> scripts() throws IOException {
    List<Path> scripts = new ArrayList<>(List.of(projectDir().resolve(".ci/run")));
    for (String dir : List.of("hack", "bench")) {
      try (Stream<Path> files = Files.list(projectDir().resolve(dir))) {
        files.filter(f -> f.toString().endsWith(".sh")).sorted().forEach(scripts::add);
      }
    }
    return scripts;
  }

  @Test
  void everyScriptParses() throws Exception {
    List<Path> scripts = scripts();
    assertTrue(scripts.size() >= 5, "expected .ci/run, hack/*.sh and bench/*.sh, found " + scripts);
    for (Path script : scripts) {
      Result result = exec(List.of("bash", "-n", script.toString()));
      assertEquals(0, result.exit(), script + " does not parse: " + result.output());
    }
  }

  @Test
  void noScriptUnderPipefailPipesIntoAReaderThatStopsEarly() throws Exception {
    List<String> offenders = new ArrayList<>();
    for (Path script : scripts()) {
      List<String> lines = Files.readAllLines(script);
      if (lines.stream().noneMatch(l -> l.trim().startsWith("set ") && l.contains("pipefail"))) {
        continue;
      }
      for (int i = 0; i < lines.size(); i++) {
        String code = lines.get(i).replaceFirst("\\s#.*$", "");
        if (!code.trim().startsWith("#") && pipesIntoEarlyExitReader(code)) {
          offenders.add(
              projectDir().relativize(script) + ":" + (i + 1) + ": " + lines.get(i).trim());
        }
      }
    }
    assertEquals(
        List.of(),
        offenders,
        "capture the output and cut it in bash instead of piping into head, grep -q/-l/-m "
            + "or a sed that quits");
  }

  @Test
  void theCheckFindsThePatternThatFailedCi() {
    assertTrue(pipesIntoEarlyExitReader("\"$K8S_DIR/etcd\" --version 2>&1 | head -1 >&2"));
    assertTrue(pipesIntoEarlyExitReader("dpkg-query -W \"$p\" | grep -q \"install ok\""));
    assertTrue(pipesIntoEarlyExitReader("v=\"$(etcd --version | head -n1)\""));
  }

  @Test
  void theCheckFindsOtherReadersThatStopEarly() {
    for (String line :
        List.of(
            "kubectl get pods | grep --quiet Running",
            "kubectl get pods | grep --silent Running && echo up",
            "kubectl get pods | grep -E 'Run|Pend' -q", // the flag after the pattern, a '|' inside
            // it
            "ip netns list | grep -E \"^$TAG\" -q || exit 1",
            "kubectl get pods |& grep -iq error",
            "kubectl logs pod | grep -l panic",
            "kubectl logs pod | grep -iL panic",
            "journalctl | grep --max-count=1 error",
            "journalctl | grep -m 1 error",
            "journalctl | grep -Em1 'x|y'",
            "journalctl | egrep -q 'x|y'",
            "go version | sed 1q",
            "java -version 2>&1 | sed -n '1p;q'",
            "java -version 2>&1 | sed -n 1p\\;q",
            "java -version 2>&1 | sed -n '1{p;q}'",
            "tail -f log | sed '/ready/q'",
            "cat list | sed 5Q")) {
      assertTrue(pipesIntoEarlyExitReader(line), line);
    }
  }

  @Test
  void theCheckLeavesReadersThatReadEverything() {
    for (String line :
        List.of(
            "go mod tidy -e 2>&1 | tail -5 >&2",
            "kubectl get pods | grep -v Completed",
            "dmesg | grep -o 'entries: [0-9]*' | grep -o '[0-9]*$' || echo unknown",
            "kubectl get pods | grep -c Running",
            "kubectl get pods | grep -s Running", // -s hides errors, it does not stop
            "kubectl get pods | grep --line-buffered Running",
            "printf '%s\\n' \"${TIMES[@]}\" | sort -n",
            "\"$JAVA\" -version 2>&1 | sed -n 2p",
            "echo quiet | sed 's/q/Q/g'",
            "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'",
            "grep -q pipefail \"$f\" || echo missing", // reads a file, not a pipe
            "check || head -1 notes.txt")) { // '||' is not a pipe
      assertFalse(pipesIntoEarlyExitReader(line), line);
    }
  }
}
