{{/* Base name of every object; cluster-scoped names carry it too. */}}
{{- define "keepalive-operator.fullname" -}}
{{- default "keepalive-operator" .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* Namespace of every namespaced object: namespaceOverride, else the release namespace. */}}
{{- define "keepalive-operator.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride -}}
{{- end -}}

{{- define "keepalive-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object. part-of=keepalive-operator also keeps the webhook away from the operator's pods. */}}
{{- define "keepalive-operator.labels" -}}
helm.sh/chart: {{ include "keepalive-operator.chart" . }}
app.kubernetes.io/name: keepalive-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: keepalive-operator
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selects the operator's pods; never changes across upgrades (Deployment selectors are immutable). */}}
{{- define "keepalive-operator.selectorLabels" -}}
app.kubernetes.io/name: keepalive-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "keepalive-operator.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The image injected into pods: the operator's own unless injection.image overrides it. */}}
{{- define "keepalive-operator.injectedImage" -}}
{{- $i := .Values.injection.image -}}
{{- if or $i.repository $i.tag $i.digest -}}
{{- $repo := default .Values.image.repository $i.repository -}}
{{- if $i.digest -}}
{{- printf "%s@%s" $repo $i.digest -}}
{{- else -}}
{{- $tag := default (default .Chart.AppVersion .Values.image.tag) $i.tag -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- else -}}
{{- include "keepalive-operator.image" . -}}
{{- end -}}
{{- end -}}

{{- define "keepalive-operator.serviceAccountName" -}}
{{- default (include "keepalive-operator.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "keepalive-operator.webhookServiceName" -}}
{{- printf "%s-webhook" (include "keepalive-operator.fullname" .) -}}
{{- end -}}

{{- define "keepalive-operator.webhookSecretName" -}}
{{- printf "%s-webhook-tls" (include "keepalive-operator.fullname" .) -}}
{{- end -}}

{{- define "keepalive-operator.webhookConfigurationName" -}}
{{- include "keepalive-operator.fullname" . -}}
{{- end -}}

{{/* Lease of leader election; io.keepalive.operator.LeaderElection.LEASE_NAME. */}}
{{- define "keepalive-operator.leaseName" -}}
keepalive-operator-lease
{{- end -}}

{{- define "keepalive-operator.certManager" -}}
{{- if and .Values.webhook.enabled (eq .Values.webhook.certificate.mode "cert-manager") -}}true{{- end -}}
{{- end -}}

{{- define "keepalive-operator.selfManagedCertificate" -}}
{{- if and .Values.webhook.enabled (eq .Values.webhook.certificate.mode "self-managed") -}}true{{- end -}}
{{- end -}}

{{/* Where cert-manager's Secret is mounted in the operator (KEEPALIVE_WEBHOOK_CERTIFICATE_DIR). */}}
{{- define "keepalive-operator.certificateDir" -}}
/var/run/keepalive-operator/webhook-tls
{{- end -}}

{{/* Combinations the schema cannot express; each refusal says what to change. */}}
{{- define "keepalive-operator.validate" -}}
{{- if and .Values.webhook.enabled (eq (int .Values.webhook.port) (int .Values.httpPort)) -}}
{{- fail (printf "webhook.port and httpPort are both %v: the webhook and the operator's HTTP server need different ports" .Values.httpPort) -}}
{{- end -}}
{{- $pdb := .Values.podDisruptionBudget -}}
{{- if $pdb.enabled -}}
{{- if kindIs "invalid" $pdb.maxUnavailable -}}
{{- if and (not (kindIs "string" $pdb.minAvailable)) (ge (int $pdb.minAvailable) (int .Values.replicaCount)) -}}
{{- fail (printf "podDisruptionBudget.minAvailable %v with replicaCount %v would block every node drain: raise replicaCount, lower minAvailable or set podDisruptionBudget.maxUnavailable" $pdb.minAvailable .Values.replicaCount) -}}
{{- end -}}
{{- else if or (eq (toString $pdb.maxUnavailable) "0") (eq (toString $pdb.maxUnavailable) "0%") -}}
{{- fail "podDisruptionBudget.maxUnavailable 0 would block every node drain: set it to 1 or more" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.networkPolicy.enabled (not .Values.networkPolicy.apiServerCidrs) -}}
{{- fail "networkPolicy.enabled needs networkPolicy.apiServerCidrs: the API server's addresses (kubectl get endpoints kubernetes -n default), which must reach the webhook and which the operator must reach" -}}
{{- end -}}
{{- end -}}
