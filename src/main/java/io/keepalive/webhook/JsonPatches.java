package io.keepalive.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The JSON patch (RFC 6902) from one tree to another, in time and memory linear in their size. A
 * general diff aligns arrays with a longest common subsequence, which is quadratic: a pod with
 * 8,000 init containers took seconds and gigabytes. The injector only inserts into arrays (sysctls,
 * init containers, containers, volumes) and adds or sets object members, so an array is read as the
 * old one with elements inserted, matched in one pass; an array that is not (never the case for
 * what the injector does) is replaced whole, which is still a correct patch.
 */
final class JsonPatches {
  private JsonPatches() {}

  static ArrayNode diff(JsonNode before, JsonNode after) {
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    diff("", before, after, patch);
    return patch;
  }

  private static void diff(String path, JsonNode before, JsonNode after, ArrayNode patch) {
    if (before.equals(after)) {
      return;
    }
    if (before.isObject() && after.isObject()) {
      objects(path, (ObjectNode) before, (ObjectNode) after, patch);
    } else if (before.isArray() && after.isArray()) {
      arrays(path, (ArrayNode) before, (ArrayNode) after, patch);
    } else {
      op(patch, "replace", path).set("value", after);
    }
  }

  private static void objects(String path, ObjectNode before, ObjectNode after, ArrayNode patch) {
    for (Iterator<String> names = before.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!after.has(name)) {
        op(patch, "remove", path + "/" + escape(name));
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> fields = after.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String child = path + "/" + escape(field.getKey());
      JsonNode old = before.get(field.getKey());
      if (old == null) {
        op(patch, "add", child).set("value", field.getValue());
      } else {
        diff(child, old, field.getValue(), patch);
      }
    }
  }

  /**
   * Greedy: each element of {@code after} either is the next element of {@code before} or was
   * inserted there. Each element is compared at most once per position, so the cost is linear.
   */
  private static void arrays(String path, ArrayNode before, ArrayNode after, ArrayNode patch) {
    ArrayNode inserts = JsonNodeFactory.instance.arrayNode();
    int kept = 0;
    for (int i = 0; i < after.size(); i++) {
      if (kept < before.size() && before.get(kept).equals(after.get(i))) {
        kept++;
      } else {
        op(inserts, "add", path + "/" + i).set("value", after.get(i));
      }
    }
    if (kept < before.size()) {
      op(patch, "replace", path).set("value", after);
      return;
    }
    patch.addAll(inserts);
  }

  private static ObjectNode op(ArrayNode patch, String op, String path) {
    ObjectNode node = patch.addObject();
    node.put("op", op);
    node.put("path", path);
    return node;
  }

  /** RFC 6901: "~" and "/" in a member name. */
  static String escape(String name) {
    return name.indexOf('~') < 0 && name.indexOf('/') < 0
        ? name
        : name.replace("~", "~0").replace("/", "~1");
  }
}
