package io.keepalive.policy;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Declares the TCP keepalive values (and HTTP keep-alive expectations) for the pods it selects in
 * its own namespace. The class only carries the API annotations; the shape lives in {@link
 * KeepalivePolicySpec} and {@link KeepalivePolicyStatus}, and the CRD is generated from them.
 */
@Group(KeepalivePolicy.GROUP)
@Version(KeepalivePolicy.VERSION)
@ShortNames("kap")
@Categories("keepalive")
// Columns in this order (PolicyCrd keeps it; the generator would sort them by path), each path
// selecting exactly its field. PolicyStatusApiserverTest checks order and values with the real
// kubectl.
@AdditionalPrinterColumn(
    name = "Time",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".spec.tcp.timeSeconds")
@AdditionalPrinterColumn(
    name = "Interval",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".spec.tcp.intervalSeconds")
@AdditionalPrinterColumn(
    name = "Probes",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".spec.tcp.probes")
@AdditionalPrinterColumn(
    name = "Matched",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".status.matchedPods")
@AdditionalPrinterColumn(
    name = "Injected",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".status.injectedPods")
@AdditionalPrinterColumn(
    name = "Reason",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(
    name = "Ready",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Age",
    type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class KeepalivePolicy extends CustomResource<KeepalivePolicySpec, KeepalivePolicyStatus>
    implements Namespaced {
  public static final String GROUP = "keepalive.io";
  public static final String VERSION = "v1alpha1";
  public static final String PLURAL = "keepalivepolicies";
  public static final String CRD_NAME = PLURAL + "." + GROUP;

  // overridden only for their descriptions in the CRD (kubectl explain keepalivepolicy.spec)
  @Override
  @JsonPropertyDescription(
      "What the policy asks for: which pods, which keepalive values, how they get in, and what the "
          + "agents check.")
  public KeepalivePolicySpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription(
      "What the operator found, written by the operator only: counts of matched and injected pods, "
          + "conditions, and the agents' observations.")
  public KeepalivePolicyStatus getStatus() {
    return super.getStatus();
  }
}
