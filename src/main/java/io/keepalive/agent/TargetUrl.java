package io.keepalive.agent;

import java.net.URI;
import java.net.URISyntaxException;

/** An HTTP target's URL taken apart for a hand-written HTTP/1.1 exchange. */
public record TargetUrl(String url, boolean tls, String host, int port, String pathAndQuery) {

  /**
   * @throws IllegalArgumentException with a reason a user can act on
   */
  public static TargetUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("empty URL");
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("scheme must be http or https, not '" + scheme + "'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("no host in URL");
    }
    boolean tls = scheme.equals("https");
    int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new TargetUrl(url, tls, host, port, path);
  }

  String hostHeader() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return port == (tls ? 443 : 80) ? h : h + ":" + port;
  }
}
