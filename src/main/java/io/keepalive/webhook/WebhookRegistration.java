package io.keepalive.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.PodMarks;
import io.keepalive.settings.OperatorSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The MutatingWebhookConfiguration: pods, CREATE only, never the operator's own namespace,
 * kube-system, the operator's pods or opted-out pods. Helm can render the same shape
 * (manage-configuration=false); then the operator leaves it alone.
 */
public final class WebhookRegistration {
  public static final String WEBHOOK_NAME = "pods.keepalive.io";
  public static final String FIELD_MANAGER = "keepalive-operator";
  private static final ObjectMapper JSON = new ObjectMapper();

  private WebhookRegistration() {}

  public static MutatingWebhookConfiguration desired(
      OperatorSettings settings, String caBundlePem) {
    var webhook = settings.webhook();
    WebhookClientConfigBuilder client = new WebhookClientConfigBuilder();
    if (webhook.url().isPresent()) {
      client.withUrl(webhook.url().get());
    } else {
      client
          .withNewService()
          .withName(webhook.serviceName())
          .withNamespace(settings.namespace())
          .withPath(webhook.path())
          .withPort(webhook.servicePort())
          .endService();
    }
    if (caBundlePem != null && !caBundlePem.isBlank()) {
      client.withCaBundle(
          Base64.getEncoder().encodeToString(caBundlePem.getBytes(StandardCharsets.UTF_8)));
    }
    WebhookClientConfig clientConfig = client.build();

    LabelSelectorBuilder namespaces =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("kubernetes.io/metadata.name")
            .withOperator("NotIn")
            .withValues(excludedNamespaces(settings))
            .endMatchExpression();
    if (webhook.optIn()) {
      // only namespaces that ask for it, with the label a namespace otherwise opts out with
      namespaces
          .addNewMatchExpression()
          .withKey(PodMarks.INJECT_LABEL)
          .withOperator("In")
          .withValues("true")
          .endMatchExpression();
    } else {
      // a whole namespace opts out with the same label a pod uses
      namespaces
          .addNewMatchExpression()
          .withKey(PodMarks.INJECT_LABEL)
          .withOperator("NotIn")
          .withValues("false")
          .endMatchExpression();
    }
    // with a namespace allow-list, the API server does not even call for pods elsewhere
    settings
        .watchNamespaces()
        .filter(l -> !l.isEmpty())
        .ifPresent(
            allowed ->
                namespaces
                    .addNewMatchExpression()
                    .withKey("kubernetes.io/metadata.name")
                    .withOperator("In")
                    .withValues(allowed)
                    .endMatchExpression());
    LabelSelectorBuilder objects =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey(PodMarks.INJECT_LABEL)
            .withOperator("NotIn")
            .withValues("false")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey(PodMarks.COMPONENT_LABEL)
            .withOperator("NotIn")
            .withValues(PodMarks.COMPONENT_VALUE)
            .endMatchExpression();
    webhook
        .namespaceSelector()
        .ifPresent(json -> narrow(namespaces, json, "keepalive.webhook.namespace-selector"));
    webhook
        .objectSelector()
        .ifPresent(json -> narrow(objects, json, "keepalive.webhook.object-selector"));

    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(webhook.configurationName())
        .addToLabels(PodMarks.COMPONENT_LABEL, PodMarks.COMPONENT_VALUE)
        .endMetadata()
        .withWebhooks(
            new MutatingWebhookBuilder()
                .withName(WEBHOOK_NAME)
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .withFailurePolicy(webhook.failurePolicy())
                .withTimeoutSeconds(webhook.timeoutSeconds())
                .withMatchPolicy("Equivalent")
                // injection is idempotent, and nothing the webhook adds needs another webhook's
                // view
                .withReinvocationPolicy("Never")
                .addNewRule()
                .withApiGroups("")
                .withApiVersions("v1")
                .withOperations("CREATE")
                .withResources("pods")
                .withScope("Namespaced")
                .endRule()
                .withNamespaceSelector(namespaces.build())
                .withObjectSelector(objects.build())
                .withMatchConditions(matchConditions(webhook.matchConditions()))
                .withClientConfig(clientConfig)
                .build())
        .build();
  }

  /**
   * The user's selector ANDed with ours: its labels added, its expressions after ours (the chart
   * renders the same order).
   */
  private static void narrow(LabelSelectorBuilder ours, String json, String setting) {
    LabelSelector extra = parse(json, LabelSelector.class, setting);
    if (extra.getMatchLabels() != null && !extra.getMatchLabels().isEmpty()) {
      ours.addToMatchLabels(extra.getMatchLabels());
    }
    if (extra.getMatchExpressions() != null) {
      ours.addAllToMatchExpressions(extra.getMatchExpressions());
    }
  }

  private static List<MatchCondition> matchConditions(Optional<String> json) {
    if (json.isEmpty()) {
      return null;
    }
    List<MatchCondition> conditions =
        List.of(parse(json.get(), MatchCondition[].class, "keepalive.webhook.match-conditions"));
    return conditions.isEmpty() ? null : conditions;
  }

  private static <T> T parse(String json, Class<T> type, String setting) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          setting
              + " is not a valid "
              + type.getSimpleName()
              + " in JSON: "
              + e.getOriginalMessage());
    }
  }

  static List<String> excludedNamespaces(OperatorSettings settings) {
    List<String> excluded = new ArrayList<>(List.of("kube-system"));
    if (!excluded.contains(settings.namespace())) {
      excluded.add(settings.namespace());
    }
    return excluded;
  }

  /**
   * Server-side apply: creates it, or brings our fields (caBundle included) back to what they must
   * be.
   */
  public static void apply(KubernetesClient client, MutatingWebhookConfiguration desired) {
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .resource(desired)
        .fieldManager(FIELD_MANAGER)
        .forceConflicts()
        .serverSideApply();
  }
}
