package io.keepalive.pods;

import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The pods of the cluster as the operator's pod informer holds them (in their slim form: name, uid,
 * labels, the operator's annotations), for whoever must tell a pod that exists from one a caller
 * only claims. The informer is the reconciler's, which serves it from here once it runs; until then
 * no pod is known.
 */
@ApplicationScoped
public class PodDirectory {
  private volatile Function<String, Stream<Pod>> pods = namespace -> Stream.empty();

  /** The pods of a namespace, as the informer holds them now. */
  public Stream<Pod> pods(String namespace) {
    return pods.apply(namespace);
  }

  /** Called by the owner of the pod informer when it starts. */
  public void serveFrom(Function<String, Stream<Pod>> source) {
    this.pods = source;
  }
}
