{{- define "atcr-verify.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 63 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "atcr-verify.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "atcr-verify.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "atcr-verify.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}{{ default (include "atcr-verify.fullname" .) .Values.serviceAccount.name }}{{- else -}}{{ default "default" .Values.serviceAccount.name }}{{- end -}}
{{- end -}}

{{/* The host Gatekeeper and Kyverno call: the certificate's SAN must match it exactly. */}}
{{- define "atcr-verify.host" -}}
{{ include "atcr-verify.fullname" . }}.{{ .Release.Namespace }}.svc
{{- end -}}

{{- define "atcr-verify.tlsSecret" -}}
{{- if eq .Values.tls.mode "secret" -}}{{ required "tls.existingSecret is required with tls.mode=secret" .Values.tls.existingSecret }}{{- else -}}{{ include "atcr-verify.fullname" . }}-tls{{- end -}}
{{- end -}}

{{/*
The serving certificate and its CA, generated once per release: on upgrade the Secret that
exists is reused, so Gatekeeper's and Kyverno's caBundle stay valid.
*/}}
{{- define "atcr-verify.generatedTls" -}}
{{- /* Generated once per render and kept in .Values, so the Secret and every caBundle agree. */ -}}
{{- if not (hasKey .Values "__atcrTls") -}}
{{- $name := printf "%s-tls" (include "atcr-verify.fullname" .) -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name -}}
{{- if and $existing $existing.data (hasKey $existing.data "ca.crt") -}}
{{- $_ := set .Values "__atcrTls" (dict "crt" (index $existing.data "tls.crt" | b64dec) "key" (index $existing.data "tls.key" | b64dec) "ca" (index $existing.data "ca.crt" | b64dec)) -}}
{{- else -}}
{{- $svc := include "atcr-verify.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $ca := genCA (printf "%s-ca" $svc) 3650 -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" $svc $ns) nil (list (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns)) 825 $ca -}}
{{- $_ := set .Values "__atcrTls" (dict "crt" $cert.Cert "key" $cert.Key "ca" $ca.Cert) -}}
{{- end -}}
{{- end -}}
{{- .Values.__atcrTls | toJson -}}
{{- end -}}

{{/* The CA bundle (PEM) that Gatekeeper's Provider and Kyverno's apiCall trust. */}}
{{- define "atcr-verify.caBundle" -}}
{{- if eq .Values.tls.mode "helm" -}}
{{- (include "atcr-verify.generatedTls" . | fromJson).ca -}}
{{- else -}}
{{- required "tls.caBundle (PEM) is required unless tls.mode=helm: Gatekeeper and Kyverno trust only it" .Values.tls.caBundle -}}
{{- end -}}
{{- end -}}

{{- define "atcr-verify.clientCaSecret" -}}
{{- if .Values.enforcement.gatekeeper.mtls.copyFromGatekeeper -}}{{ include "atcr-verify.fullname" . }}-gatekeeper-ca{{- else -}}{{ required "enforcement.gatekeeper.mtls.clientCaSecret (or copyFromGatekeeper) is required with mTLS" .Values.enforcement.gatekeeper.mtls.clientCaSecret }}{{- end -}}
{{- end -}}

{{- define "atcr-verify.cacheKeySecret" -}}
{{- default (printf "%s-cache-key" (include "atcr-verify.fullname" .)) .Values.redis.cacheKeySecret -}}
{{- end -}}

{{- define "atcr-verify.redisUrl" -}}
{{- if .Values.redis.deploy -}}redis://{{ include "atcr-verify.fullname" . }}-redis.{{ .Release.Namespace }}.svc:6379{{- else -}}{{ .Values.redis.url }}{{- end -}}
{{- end -}}

{{/* Documents of a multi-document YAML text, parsed; empty documents dropped. */}}
{{- define "atcr-verify.documents" -}}
{{- $docs := list -}}
{{- range $text := regexSplit "(?m)^---[ \t]*$" . -1 -}}
{{- $obj := fromYaml $text -}}
{{- if and $obj (hasKey $obj "kind") -}}{{- $docs = append $docs $obj -}}{{- end -}}
{{- end -}}
{{- dict "items" $docs | toJson -}}
{{- end -}}

{{/* This release's URL for the endpoint a compiled URL names (…/gatekeeper/v1/provider, …/kyverno/v1/facts). */}}
{{- define "atcr-verify.urlWithPath" -}}
{{- $endpoint := regexFind "/(gatekeeper|kyverno)/v1/[a-z]+$" (urlParse .url).path -}}
{{- if not $endpoint -}}{{- fail (printf "compiled URL %q names no atcr-verify endpoint (/gatekeeper/v1/... or /kyverno/v1/...)" .url) -}}{{- end -}}
https://{{ .host }}:{{ .port }}{{ $endpoint }}
{{- end -}}
