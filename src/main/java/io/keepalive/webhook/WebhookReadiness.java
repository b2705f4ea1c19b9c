package io.keepalive.webhook;

import io.keepalive.settings.OperatorSettings;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the webhook serves: the webhook Service then sends the API server only to
 * replicas that can answer (with failurePolicy Fail, a replica still loading its caches would
 * otherwise fail pod creations).
 */
@Readiness
@ApplicationScoped
public class WebhookReadiness implements HealthCheck {
  private final Webhook webhook;
  private final OperatorSettings settings;

  public WebhookReadiness(Webhook webhook, OperatorSettings settings) {
    this.webhook = webhook;
    this.settings = settings;
  }

  @Override
  public HealthCheckResponse call() {
    if (!settings.webhook().enabled()) {
      return HealthCheckResponse.named("keepalive-webhook").up().withData("enabled", false).build();
    }
    WebhookServer server = webhook.server();
    boolean serving = server != null && server.serving();
    return HealthCheckResponse.named("keepalive-webhook").status(serving).build();
  }
}
