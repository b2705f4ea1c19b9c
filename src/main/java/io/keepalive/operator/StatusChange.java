package io.keepalive.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.keepalive.policy.KeepalivePolicyStatus;

/**
 * Whether writing a status changes anything: the two are compared as the JSON the API server would
 * store, so every field counts, a field added later included; no hand-written equals can forget
 * one.
 */
public final class StatusChange {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusChange() {}

  /**
   * @param written the status on the policy now, null before the first write
   */
  public static boolean changes(KeepalivePolicyStatus written, KeepalivePolicyStatus next) {
    return !JSON.valueToTree(next).equals(JSON.valueToTree(written));
  }
}
