package io.keepalive.policy;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
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
// The CRD generator orders printer columns by their JSONPath. Recursive descent ("..") selects the
// same single
// field here but sorts first, so `kubectl get kap` shows TIME INTERVAL PROBES MATCHED INJECTED
// READY AGE;
// PolicyStatusApiserverTest checks the order and the values with the real kubectl.
@AdditionalPrinterColumn(
    name = "Time",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = "..spec.tcp..timeSeconds")
@AdditionalPrinterColumn(
    name = "Interval",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = "..spec.tcp.intervalSeconds")
@AdditionalPrinterColumn(
    name = "Probes",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = "..spec.tcp.probes")
@AdditionalPrinterColumn(
    name = "Matched",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = "..status..matchedPods")
@AdditionalPrinterColumn(
    name = "Injected",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = "..status.injectedPods")
@AdditionalPrinterColumn(
    name = "Reason",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1,
    jsonPath = "..status['conditions'][?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(
    name = "Ready",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = "..status['conditions'][?(@.type==\"Ready\")].status")
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
}
