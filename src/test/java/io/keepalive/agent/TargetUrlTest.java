package io.keepalive.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TargetUrlTest {
  @Test
  void takesUrlsApart() {
    TargetUrl u = TargetUrl.parse("http://orders.shop.svc:8080/healthz?x=1");
    assertEquals("orders.shop.svc", u.host());
    assertEquals(8080, u.port());
    assertEquals("/healthz?x=1", u.pathAndQuery());
    assertEquals("orders.shop.svc:8080", u.hostHeader());
    TargetUrl s = TargetUrl.parse("https://example.test");
    assertTrue(s.tls());
    assertEquals(443, s.port());
    assertEquals("/", s.pathAndQuery());
    assertEquals("example.test", s.hostHeader());
    TargetUrl v6 = TargetUrl.parse("http://[::1]:81/");
    assertEquals("::1", v6.host());
    assertEquals("[::1]:81", v6.hostHeader());
  }

  @Test
  void badUrlsSayWhy() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> TargetUrl.parse("ftp://x"))
            .getMessage()
            .contains("scheme"));
    assertThrows(IllegalArgumentException.class, () -> TargetUrl.parse("http://"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> TargetUrl.parse("http:/path"))
            .getMessage()
            .contains("host"));
    assertThrows(IllegalArgumentException.class, () -> TargetUrl.parse("http://a b/"));
    assertThrows(IllegalArgumentException.class, () -> TargetUrl.parse(""));
  }

  @Test
  void readsTheAdvertisedIdleTimeout() {
    assertEquals(5, HttpConnection.parseKeepAliveTimeout("timeout=5, max=1000"));
    assertEquals(75, HttpConnection.parseKeepAliveTimeout("max=10, Timeout = 75"));
    assertNull(HttpConnection.parseKeepAliveTimeout("max=10"));
    assertNull(HttpConnection.parseKeepAliveTimeout(null));
    assertNull(HttpConnection.parseKeepAliveTimeout("timeout=soon"));
  }
}
