package io.keepalive.policy;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What the CRD generator (fabric8 7.3) cannot say from annotations, added as the build generates
 * the CRD ({@code quarkus.operator-sdk.crd.post-processor}): the description of the root, the
 * conditions as a list-map keyed by type (API conventions: one condition per type, and server-side
 * apply merges them by type), the printer columns in the order {@link KeepalivePolicy} declares
 * them (the generator sorts them by JSONPath), and nullable values of spec.selector.matchLabels:
 * the API server silently drops a null value that its schema does not allow, so {@code matchLabels:
 * {app: null}} would be stored as {@code {}} and select every pod; kept, the null meets the
 * selector's rule that every value is a string, and the policy is refused with a message. Runs at
 * build time only.
 */
public class PolicyCrd implements CRDPostProcessor {
  static final String DESCRIPTION =
      "KeepalivePolicy declares the TCP keepalive sysctls (tcp_keepalive_time, _intvl, _probes) "
          + "for the pods it selects in its namespace, and the HTTP keep-alive expectations its "
          + "agents check. A mutating webhook puts the values into new pods; the status tells "
          + "whether they are in force and what the agents observe.";

  @Override
  public HasMetadata process(HasMetadata resource, String crdSpecVersion) {
    if (!(resource instanceof CustomResourceDefinition crd)
        || !KeepalivePolicy.CRD_NAME.equals(crd.getMetadata().getName())) {
      return resource;
    }
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
      root.setDescription(DESCRIPTION);
      JSONSchemaProps conditions =
          root.getProperties().get("status").getProperties().get("conditions");
      conditions.setXKubernetesListType("map");
      conditions.setXKubernetesListMapKeys(List.of("type"));
      version.setAdditionalPrinterColumns(declaredOrder(version.getAdditionalPrinterColumns()));
      root.getProperties()
          .get("spec")
          .getProperties()
          .get("selector")
          .getProperties()
          .get("matchLabels")
          .getAdditionalProperties()
          .getSchema()
          .setNullable(true);
    }
    return crd;
  }

  private static List<CustomResourceColumnDefinition> declaredOrder(
      List<CustomResourceColumnDefinition> generated) {
    List<String> declared =
        Arrays.stream(KeepalivePolicy.class.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    List<CustomResourceColumnDefinition> columns = new ArrayList<>(generated);
    columns.sort(Comparator.comparingInt(c -> declared.indexOf(c.getName())));
    return columns;
  }
}
