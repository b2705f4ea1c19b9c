package io.keepalive.netns;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a namespace by the census test: opens {@code with} loopback connections with SO_KEEPALIVE
 * and {@code without} connections without it, prints "ready" and holds them until killed.
 */
public final class SocketHolder {
  public static void main(String[] args) throws Exception {
    int with = Integer.parseInt(args[0]);
    int without = Integer.parseInt(args[1]);
    List<Socket> held = new ArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < with + without; i++) {
        Socket s = new Socket();
        s.setKeepAlive(i < with);
        s.connect(server.getLocalSocketAddress());
        held.add(s);
        held.add(server.accept()); // accepted sockets have no SO_KEEPALIVE
      }
      System.out.println("ready");
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
