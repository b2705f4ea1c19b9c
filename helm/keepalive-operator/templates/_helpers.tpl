{{/* Base name of every object; cluster-scoped names carry it too. */}}
{{- define "keepalive-operator.fullname" -}}
{{- default "keepalive-operator" .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
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
{{- if or $i.repository $i.tag -}}
{{- $repo := default .Values.image.repository $i.repository -}}
{{- $tag := default (default .Chart.AppVersion .Values.image.tag) $i.tag -}}
{{- printf "%s:%s" $repo $tag -}}
{{- else -}}
{{- include "keepalive-operator.image" . -}}
{{- end -}}
{{- end -}}

{{- define "keepalive-operator.serviceAccountName" -}}
{{- include "keepalive-operator.fullname" . -}}
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
