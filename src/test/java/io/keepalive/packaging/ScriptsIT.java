package io.keepalive.packaging;

import io.keepalive.testing.Processes.Result;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The shell scripts CI and users run: they parse, and none pipes a command into a reader that stops early.
 * Under {@code set -o pipefail} such a reader ({@code head}, {@code grep -q}) closes the pipe while the writer
 * still writes; the writer dies of SIGPIPE and the script exits 141. CI failed exactly so on
 * {@code etcd --version | head -1} when the machine was loaded (11 of 200 runs under load).
 */
class ScriptsIT {
    private static final Pattern EARLY_EXIT_READER = Pattern.compile("\\|\\s*(head\\b|grep\\s+(-\\w*[qm]\\w*)\\b)");

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
                if (!code.trim().startsWith("#") && EARLY_EXIT_READER.matcher(code).find()) {
                    offenders.add(projectDir().relativize(script) + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertEquals(List.of(), offenders, "capture the output and cut it in bash instead of piping into head or grep -q");
    }

    @Test
    void theCheckFindsThePatternThatFailedCi() {
        assertTrue(EARLY_EXIT_READER.matcher("\"$K8S_DIR/etcd\" --version 2>&1 | head -1 >&2").find());
        assertTrue(EARLY_EXIT_READER.matcher("dpkg-query -W \"$p\" | grep -q \"install ok\"").find());
        assertFalse(EARLY_EXIT_READER.matcher("go mod tidy -e 2>&1 | tail -5 >&2").find());
        assertFalse(EARLY_EXIT_READER.matcher("kubectl get pods | grep -v Completed").find());
    }
}
