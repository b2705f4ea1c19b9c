package io.keepalive.policy.spec;

/** How the keepalive sysctls get into a new pod; see the field description on the spec. */
public enum InjectionStrategy {
  Auto,
  SecurityContext,
  InitContainer
}
