package io.keepalive.policy.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!self.url.matches('^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*@')",
    fieldPath = ".url",
    reason = "FieldValueForbidden",
    message =
        "url must not carry credentials (user:password@host): it is copied into the environment of"
            + " every pod the policy selects, where anyone who can read those pods sees it; give"
            + " the agent a URL it can request without credentials")
public class HttpTarget {
  /** Long enough for any real health URL; what a policy adds to every pod stays small. */
  public static final int MAX_URL_LENGTH = 2048;

  @Required
  @Size(max = MAX_URL_LENGTH)
  @Pattern("^https?://[^\\s/?#]+([/?#]\\S*)?$")
  @JsonPropertyDescription(
      "An http:// or https:// URL the agent requests with GET, e.g. http://orders.shop.svc:8080/healthz.")
  private String url;

  @Min(1)
  @Max(86400)
  @JsonPropertyDescription(
      "How long the workload's own HTTP client keeps an idle pooled connection, in seconds. "
          + "The server's idle timeout must be longer, or the client reuses connections the server is closing.")
  private Integer clientIdleTimeoutSeconds;

  public HttpTarget() {}

  public HttpTarget(String url, Integer clientIdleTimeoutSeconds) {
    this.url = url;
    this.clientIdleTimeoutSeconds = clientIdleTimeoutSeconds;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public Integer getClientIdleTimeoutSeconds() {
    return clientIdleTimeoutSeconds;
  }

  public void setClientIdleTimeoutSeconds(Integer clientIdleTimeoutSeconds) {
    this.clientIdleTimeoutSeconds = clientIdleTimeoutSeconds;
  }
}
