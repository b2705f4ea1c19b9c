package io.keepalive.webhook;

import io.keepalive.rules.InjectionDecision;
import java.util.Set;

/** Where decisions go after the response: metrics, events, logs. Must not block the admission. */
public interface AdmissionOutcomes {
  /**
   * @param namespace the pod's namespace
   * @param pod the pod's name, or its generateName followed by "*" when the API server has not
   *     named it yet
   */
  void record(String namespace, String pod, InjectionDecision decision, Set<String> podSetsSysctls);

  AdmissionOutcomes NONE = (namespace, pod, decision, podSetsSysctls) -> {};
}
