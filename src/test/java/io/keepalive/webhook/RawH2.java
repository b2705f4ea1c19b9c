package io.keepalive.webhook;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/2 client of raw frames (RFC 9113), for what no well-behaved client sends: more streams
 * than the server allows, bodies that stop half way. A reader thread records, per stream, the
 * status of the answer, its body and a reset; and the settings the server announced.
 */
final class RawH2 implements AutoCloseable {
  static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7;
  static final int END_STREAM = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20, ACK = 0x1;
  static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  static final long REFUSED_STREAM = 0x7;

  /** What the server did with one stream. */
  static final class Stream {
    volatile int status;
    volatile long reset = -1;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    final CountDownLatch done = new CountDownLatch(1);

    String body() {
      synchronized (body) {
        return body.toString(StandardCharsets.UTF_8);
      }
    }
  }

  final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
  final Map<Integer, Long> settings = new ConcurrentHashMap<>();
  final CountDownLatch settled = new CountDownLatch(1);
  volatile boolean closed;

  private final SSLSocket socket;
  private final OutputStream out;
  private final String path;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
  private int nextStream = 1;

  RawH2(SSLSocket socket, String path) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.path = path;
    synchronized (out) {
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frame(SETTINGS, 0, 0, new byte[0]);
    }
    Thread reader = new Thread(this::read, "raw-h2-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens a stream: the headers of a review POST with this Content-Length; no END_STREAM. */
  int open(long contentLength) throws IOException {
    Http2Headers headers =
        new DefaultHttp2Headers()
            .method("POST")
            .scheme("https")
            .authority("127.0.0.1")
            .path(path)
            .add("content-type", "application/json")
            .add("content-length", Long.toString(contentLength));
    synchronized (out) {
      int id = nextStream;
      nextStream += 2;
      streams.put(id, new Stream());
      ByteBuf block = Unpooled.buffer();
      try {
        encoder.encodeHeaders(id, headers, block);
        byte[] bytes = new byte[block.readableBytes()];
        block.readBytes(bytes);
        frame(HEADERS, END_HEADERS, id, bytes);
      } catch (Exception e) {
        throw new IOException(e);
      } finally {
        block.release();
      }
      return id;
    }
  }

  /** Body bytes on a stream (at most 16 KiB a frame), the last ones with END_STREAM. */
  void data(int stream, byte[] bytes, boolean end) throws IOException {
    synchronized (out) {
      frame(DATA, end ? END_STREAM : 0, stream, bytes);
    }
  }

  Stream stream(int id) {
    return streams.get(id);
  }

  /** Waits until the server answered or reset the stream. */
  Stream await(int id, long seconds) throws InterruptedException {
    Stream stream = streams.get(id);
    if (!stream.done.await(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("stream " + id + " neither answered nor reset in " + seconds + " s");
    }
    return stream;
  }

  private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] head = {
      (byte) (payload.length >>> 16),
      (byte) (payload.length >>> 8),
      (byte) payload.length,
      (byte) type,
      (byte) flags,
      (byte) (stream >>> 24),
      (byte) (stream >>> 16),
      (byte) (stream >>> 8),
      (byte) stream
    };
    out.write(head);
    out.write(payload);
    out.flush();
  }

  private void read() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (true) {
        int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int id = in.readInt() & 0x7fffffff;
        byte[] payload = in.readNBytes(length);
        Stream stream = streams.get(id);
        switch (type) {
          case SETTINGS -> {
            if ((flags & ACK) == 0) {
              for (int i = 0; i + 6 <= payload.length; i += 6) {
                int key = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
                long value =
                    ((long) (payload[i + 2] & 0xff) << 24)
                        | ((payload[i + 3] & 0xff) << 16)
                        | ((payload[i + 4] & 0xff) << 8)
                        | (payload[i + 5] & 0xff);
                settings.put(key, value);
              }
              synchronized (out) {
                frame(SETTINGS, ACK, 0, new byte[0]);
              }
              settled.countDown();
            }
          }
          case PING -> {
            if ((flags & ACK) == 0) {
              synchronized (out) {
                frame(PING, ACK, 0, payload);
              }
            }
          }
          case HEADERS -> {
            // every block goes through the decoder: its table follows the server's
            int padding = (flags & PADDED) != 0 ? payload[0] & 0xff : 0;
            int from = ((flags & PADDED) != 0 ? 1 : 0) + ((flags & PRIORITY) != 0 ? 5 : 0);
            Http2Headers headers =
                decoder.decodeHeaders(
                    id, Unpooled.wrappedBuffer(payload, from, payload.length - from - padding));
            if (stream != null && headers.status() != null) {
              stream.status = Integer.parseInt(headers.status().toString());
            }
            if (stream != null && (flags & END_STREAM) != 0) {
              stream.done.countDown();
            }
          }
          case DATA -> {
            if (stream != null) {
              synchronized (stream.body) {
                stream.body.write(payload);
              }
              if ((flags & END_STREAM) != 0) {
                stream.done.countDown();
              }
            }
          }
          case RST_STREAM -> {
            if (stream != null) {
              stream.reset =
                  ((long) (payload[0] & 0xff) << 24)
                      | ((payload[1] & 0xff) << 16)
                      | ((payload[2] & 0xff) << 8)
                      | (payload[3] & 0xff);
              stream.done.countDown();
            }
          }
          case GOAWAY -> closed = true;
          default -> {}
        }
      }
    } catch (Exception e) {
      closed = true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
