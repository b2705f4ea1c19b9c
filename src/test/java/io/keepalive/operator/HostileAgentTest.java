package io.keepalive.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keepalive.testing.Pods;
import io.keepalive.testing.TestClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What answers on a pod's agent port is the pod's tenant's to choose. An endpoint that trickles its
 * answer, sends without end, sends text that is not a report or a report with absurd numbers: each
 * ends as a silent agent with a reason in the operator's own words, within the exchange's deadline
 * and a few kilobytes, and reconcile never waits for it.
 */
class HostileAgentTest {
  final TestClock clock = new TestClock(Instant.parse("2026-05-01T10:00:00Z"));
  final BlockingQueue<ResourceID> woken = new LinkedBlockingQueue<>();
  final AtomicLong written = new AtomicLong();
  final BlockingQueue<Long> closedAfterMillis = new LinkedBlockingQueue<>();
  ServerSocket server;
  Thread acceptor;

  interface Behaviour {
    void answer(OutputStream out) throws IOException, InterruptedException;
  }

  /** A fake agent on loopback that reads the request, then does what the test says. */
  void agent(Behaviour behaviour) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                  long started = System.nanoTime();
                  InputStream in = socket.getInputStream();
                  StringBuilder head = new StringBuilder();
                  while (!head.toString().endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                      break;
                    }
                    head.append((char) b);
                  }
                  try {
                    behaviour.answer(socket.getOutputStream());
                  } catch (IOException e) {
                    // the operator closed the connection: when, is what the test wants to know
                    closedAfterMillis.add((System.nanoTime() - started) / 1_000_000);
                  }
                } catch (IOException | InterruptedException e) {
                  return;
                }
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  Pod pod() {
    return Pods.named("web-1")
        .uid("uid-1")
        .carrying("web", 1)
        .agent(server.getLocalPort())
        .running("127.0.0.1")
        .build();
  }

  /** Asks once (reconcile must not wait), then waits for the answer and returns what it says. */
  String silentBecause() throws InterruptedException {
    AgentGatherer gatherer = new AgentGatherer(Duration.ofSeconds(30), clock);
    gatherer.onChange(woken::add);
    Pod pod = pod();
    long started = System.nanoTime();
    AgentAnswers first = gatherer.latest(List.of(pod));
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertTrue(ms < 1_000, "reconcile waited " + ms + " ms for an agent");
    assertEquals(1, first.awaited());
    assertNotNull(
        woken.poll(AgentGatherer.DEADLINE.toSeconds() + 5, TimeUnit.SECONDS),
        "no answer, not even a failed one, within the deadline");
    AgentAnswers answers = gatherer.latest(List.of(pod));
    assertTrue(answers.reports().isEmpty(), answers.reports().toString());
    return answers.silent().get("web-1");
  }

  static void headers(OutputStream out, long contentLength) throws IOException {
    out.write(
        ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + contentLength
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Test
  void anAnswerTrickledByteByByteIsCutOffAtTheDeadline() throws Exception {
    agent(
        out -> {
          headers(out, 100_000);
          for (int i = 0; i < 100_000; i++) {
            out.write(' ');
            out.flush();
            Thread.sleep(100);
          }
        });
    String why = silentBecause();
    assertTrue(why.startsWith("no whole answer within 4 s"), why);
    Long closed = closedAfterMillis.poll(10, TimeUnit.SECONDS);
    assertNotNull(closed, "the operator never closed the trickling connection");
    assertTrue(closed < AgentGatherer.DEADLINE.toMillis() + 3_000, "closed after " + closed);
  }

  @Test
  void anAnswerWithoutEndIsCutOffAfterAFewKilobytes() throws Exception {
    byte[] block = new byte[64 * 1024];
    agent(
        out -> {
          headers(out, 1L << 40);
          while (true) {
            out.write(block);
            written.addAndGet(block.length);
          }
        });
    String why = silentBecause();
    assertTrue(why.startsWith("an answer larger than 64 KiB"), why);
    assertNotNull(closedAfterMillis.poll(10, TimeUnit.SECONDS), "connection not closed");
    assertTrue(
        written.get() < 16L * 1024 * 1024,
        "the agent could send " + (written.get() >> 20) + " MiB before being cut off");
  }

  @Test
  void textThatIsNotAReportIsRefusedWithoutRepeatingIt() throws Exception {
    // a bare word: a JSON parser's message would quote it
    byte[] text = "s3cr3tvalue is the password".getBytes(StandardCharsets.UTF_8);
    agent(
        out -> {
          headers(out, text.length);
          out.write(text);
          out.flush();
        });
    String why = silentBecause();
    assertTrue(why.startsWith("the /status answer is not JSON"), why);
    assertFalse(why.contains("s3cr3t"), why);
  }

  @Test
  void absurdNumbersAreRefused() throws Exception {
    byte[] report =
        "{\"sysctls\":{\"inSync\":true},\"census\":{\"established\":99999999999,\"keepaliveOff\":0}}"
            .getBytes(StandardCharsets.UTF_8);
    agent(
        out -> {
          headers(out, report.length);
          out.write(report);
          out.flush();
        });
    String why = silentBecause();
    assertTrue(why.contains("established is not a whole number from 0 to 10000000"), why);
  }
}
