package io.keepalive.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code target} label of a target's metrics: its host and port, the name a person calls it by.
 * The full URL is no label: its path and query may carry ids or tokens, which would make series
 * unbounded or leak them into the monitoring system. Two targets on the same host and port are told
 * apart by their path (never the query), and a third by its position.
 */
final class TargetLabels {
  private TargetLabels() {}

  static List<String> of(List<String> urls) {
    List<String> names = urls.stream().map(TargetLabels::hostAndPort).toList();
    Map<String, Integer> uses = new HashMap<>();
    names.forEach(n -> uses.merge(n, 1, Integer::sum));
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < urls.size(); i++) {
      String name = names.get(i);
      if (uses.get(name) > 1) {
        name = name + path(urls.get(i));
      }
      labels.add(labels.contains(name) ? name + "#" + (i + 1) : name);
    }
    return List.copyOf(labels);
  }

  /** host:port of a URL; the URL's first 40 characters when it cannot be parsed (a bad target). */
  static String hostAndPort(String url) {
    try {
      TargetUrl parsed = TargetUrl.parse(url);
      String host = parsed.host().contains(":") ? "[" + parsed.host() + "]" : parsed.host();
      return host + ":" + parsed.port();
    } catch (IllegalArgumentException e) {
      String text = url == null ? "" : url.strip();
      return text.length() > 40 ? text.substring(0, 40) : text;
    }
  }

  private static String path(String url) {
    try {
      String pathAndQuery = TargetUrl.parse(url).pathAndQuery();
      int query = pathAndQuery.indexOf('?');
      return query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
