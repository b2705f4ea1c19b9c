package io.keepalive.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTextTest {
  @Test
  void writesWhatVertxWouldParseBack() {
    JsonObject o =
        new JsonObject()
            .put("s", "a \"q\" ü\n")
            .put("i", 3)
            .put("l", 5L)
            .put("d", 2.5)
            .put("b", true)
            .putNull("n")
            .put("a", new JsonArray(List.of(1, "x")))
            .put("o", new JsonObject().put("k", 1));
    assertEquals(o, new JsonObject(JsonText.write(o, false)));
    assertEquals(o, new JsonObject(JsonText.write(o, true)));
  }

  @Test
  void parsesTheTargetsVariable() {
    JsonArray a =
        JsonText.parseArray(
            "[{\"url\":\"http://a\",\"clientIdleTimeoutSeconds\":60},{\"url\":\"http://b\"}]");
    assertEquals("http://a", a.getJsonObject(0).getString("url"));
    assertEquals(60, a.getJsonObject(0).getInteger("clientIdleTimeoutSeconds"));
    assertEquals(2, a.size());
    assertThrows(IllegalArgumentException.class, () -> JsonText.parseArray("{}"));
    assertThrows(IllegalArgumentException.class, () -> JsonText.parseArray("[1,"));
    assertThrows(IllegalArgumentException.class, () -> JsonText.parseArray("[] x"));
  }
}
