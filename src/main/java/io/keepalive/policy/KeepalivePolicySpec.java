package io.keepalive.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.keepalive.policy.spec.AgentSettings;
import io.keepalive.policy.spec.HttpExpectations;
import io.keepalive.policy.spec.IdleTimeoutDiscovery;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.policy.spec.PodSelector;
import io.keepalive.policy.spec.RolloutMode;
import io.keepalive.policy.spec.TcpKeepalive;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.discovery) || (has(self.http) && has(self.http.targets) && size(self.http.targets) > 0)",
    fieldPath = ".discovery",
    reason = "FieldValueRequired",
    message =
        "discovery measures the path to the HTTP targets: add at least one to http.targets (an "
            + "endpoint across the path, e.g. a health check beyond the NAT gateway)")
@ValidationRule(
    value =
        "!has(self.discovery) || !has(self.agent) || !has(self.agent.enabled) || self.agent.enabled",
    fieldPath = ".discovery",
    reason = "FieldValueInvalid",
    message = "discovery runs in the agent: it needs agent.enabled")
public class KeepalivePolicySpec {

  @Required
  @JsonPropertyDescription(
      "Which pods of this namespace the policy applies to (a standard label selector). "
          + "An empty selector {} selects every pod of the namespace. A policy never selects pods in other namespaces.")
  private PodSelector selector;

  @Default("Auto")
  @JsonPropertyDescription(
      "How the values get into a new pod. SecurityContext: pod securityContext.sysctls "
          + "(no privilege, Kubernetes >= 1.29). InitContainer: a privileged init container writes them in the pod's "
          + "network namespace. Auto: SecurityContext where the cluster and the namespace's Pod Security allow it, "
          + "else InitContainer where privileged pods are allowed, else the pod is skipped with a reason.")
  private InjectionStrategy strategy = InjectionStrategy.Auto;

  @Required
  @JsonPropertyDescription(
      "TCP keepalive sysctls for the pods' network namespaces. They apply to sockets whose "
          + "owner enabled SO_KEEPALIVE.")
  private TcpKeepalive tcp;

  @JsonPropertyDescription("The observing sidecar agent injected next to the workload.")
  private AgentSettings agent;

  @JsonPropertyDescription(
      "HTTP keep-alive expectations: targets the agent checks for connection reuse and idle timeouts.")
  private HttpExpectations http;

  @JsonPropertyDescription(
      "Idle-timeout discovery (off unless set): the agents measure after how long the path to "
          + "each HTTP target forgets an idle connection, and the status recommends the values to "
          + "use. It holds one connection per idle time and target open in every selected pod.")
  private IdleTimeoutDiscovery discovery;

  @Default("Manual")
  @JsonPropertyDescription(
      "Who restarts the workloads whose pods run without this policy's current generation. "
          + "Manual: you do (kubectl rollout restart); the status lists the pods that wait. "
          + "Automatic: the operator restarts their Deployments, StatefulSets and DaemonSets the "
          + "way kubectl rollout restart does, one workload at a time, and stops when a rollout "
          + "does not progress; it needs the rights of the chart value rollout.enabled.")
  private RolloutMode rollout = RolloutMode.Manual;

  public PodSelector getSelector() {
    return selector;
  }

  public void setSelector(PodSelector selector) {
    this.selector = selector;
  }

  public InjectionStrategy getStrategy() {
    return strategy;
  }

  public void setStrategy(InjectionStrategy strategy) {
    this.strategy = strategy;
  }

  public TcpKeepalive getTcp() {
    return tcp;
  }

  public void setTcp(TcpKeepalive tcp) {
    this.tcp = tcp;
  }

  public AgentSettings getAgent() {
    return agent;
  }

  public void setAgent(AgentSettings agent) {
    this.agent = agent;
  }

  public HttpExpectations getHttp() {
    return http;
  }

  public void setHttp(HttpExpectations http) {
    this.http = http;
  }

  public IdleTimeoutDiscovery getDiscovery() {
    return discovery;
  }

  public void setDiscovery(IdleTimeoutDiscovery discovery) {
    this.discovery = discovery;
  }

  public RolloutMode getRollout() {
    return rollout;
  }

  public void setRollout(RolloutMode rollout) {
    this.rollout = rollout;
  }

  /** The agent settings with defaults filled in, never null. */
  public AgentSettings agentOrDefaults() {
    return agent != null ? agent : new AgentSettings();
  }

  /** The HTTP expectations, never null. */
  public HttpExpectations httpOrEmpty() {
    return http != null ? http : new HttpExpectations();
  }
}
