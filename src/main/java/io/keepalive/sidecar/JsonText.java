package io.keepalive.sidecar;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON text for the agent with jackson-core's streaming API only. Vert.x's own encode()/decode
 * switch to jackson-databind whenever it is on the classpath (it is, for the operator), which loads
 * some 450 classes of ObjectMapper machinery: about 5 MiB of a sidecar that should stay near the
 * size of a bare Vert.x server.
 */
public final class JsonText {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonText() {}

  /** Writes JsonObject/JsonArray/Map/List/String/Number/Boolean/null trees. */
  public static String write(Object value, boolean pretty) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      if (pretty) {
        g.useDefaultPrettyPrinter();
      }
      write(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void write(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof JsonObject o) {
      write(g, o.getMap());
    } else if (value instanceof JsonArray a) {
      write(g, a.getList());
    } else if (value instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof List<?> list) {
      g.writeStartArray();
      for (Object item : list) {
        write(g, item);
      }
      g.writeEndArray();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof Number n) {
      g.writeNumber(n.doubleValue());
    } else if (value instanceof Enum<?> e) {
      g.writeString(e.name());
    } else {
      g.writeString(value.toString());
    }
  }

  /**
   * Parses JSON text into Map/List/String/Long/Double/Boolean/null; throws IllegalArgumentException
   * if malformed.
   */
  public static Object parse(String text) {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new IllegalArgumentException("empty");
      }
      Object value = read(p, first);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException(
            "unexpected text after the value at " + p.currentLocation());
      }
      return value;
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * A JSON array (the targets variable), wrapped for Vert.x's accessors without touching its codec.
   */
  public static JsonArray parseArray(String text) {
    Object value = parse(text);
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException("not an array");
    }
    return new JsonArray(new ArrayList<>(list));
  }

  private static Object read(JsonParser p, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() != JsonToken.END_OBJECT) {
          String name = p.currentName();
          map.put(name, read(p, p.nextToken()));
        }
        return map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          list.add(read(p, t));
        }
        return list;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return true;
      }
      case VALUE_FALSE -> {
        return false;
      }
      case VALUE_NULL -> {
        return null;
      }
      default ->
          throw new IllegalArgumentException("unexpected " + token + " at " + p.currentLocation());
    }
  }
}
