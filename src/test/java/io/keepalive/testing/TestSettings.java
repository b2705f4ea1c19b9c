package io.keepalive.testing;

import io.keepalive.settings.OperatorSettings;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.util.Map;

/**
 * The operator's real settings mapping with its defaults (plus overrides), without booting Quarkus.
 */
public final class TestSettings {
  private TestSettings() {}

  public static OperatorSettings defaults() {
    return with(Map.of());
  }

  public static OperatorSettings with(Map<String, String> overrides) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(OperatorSettings.class)
            .withSources(new MapBackedConfigSource("test", overrides, 500) {})
            .build();
    return config.getConfigMapping(OperatorSettings.class);
  }

  /**
   * The settings an operator gets from these environment variables (KEEPALIVE_WEBHOOK_PORT=...), as
   * in a pod.
   */
  public static OperatorSettings fromEnv(Map<String, String> env) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(OperatorSettings.class)
            .withSources(new EnvConfigSource(env, 300))
            .build();
    return config.getConfigMapping(OperatorSettings.class);
  }
}
