{{/* vim: set filetype=mustache: */}}
{{/*
Chart name, truncated to the 63 characters Kubernetes names allow.
*/}}
{{- define "infergate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Fully qualified app name. A release named like the chart (the usual `infergate`) yields
just `infergate`, the ServiceAccount name the Terraform IRSA trust policy expects.
*/}}
{{- define "infergate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "infergate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Selector labels: stable for the life of the release (never add changing values here).
*/}}
{{- define "infergate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "infergate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
Common labels.
*/}}
{{- define "infergate.labels" -}}
helm.sh/chart: {{ include "infergate.chart" . }}
{{ include "infergate.selectorLabels" . }}
app.kubernetes.io/version: {{ include "infergate.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: infergate
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Common annotations block (metadata.annotations, indented for a top-level metadata), merged with extra annotations passed as
(dict "ctx" $ "extra" $map).
*/}}
{{- define "infergate.annotations" -}}
{{- $all := merge (deepCopy (default (dict) .extra)) (deepCopy .ctx.Values.commonAnnotations) -}}
{{- with $all }}
  annotations:
    {{- toYaml . | nindent 4 }}
{{- end }}
{{- end -}}

{{- define "infergate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "infergate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "infergate.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{/*
Image reference: repository@digest when a digest is set, else repository:tag.
*/}}
{{- define "infergate.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (include "infergate.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{- define "infergate.configMapName" -}}
{{- printf "%s-config" (include "infergate.fullname" .) -}}
{{- end -}}

{{/*
The workload's replicas. With the HPA on: the live count when the workload already exists (so
an upgrade neither fights the HPA nor, for a Deployment, whose patch helm computes three-way,
resets it), else autoscaling.minReplicas, so the first ReplicaSet starts at the HPA's minimum
instead of Kubernetes' default of 1. Without a cluster (helm template, Argo CD) lookup finds
nothing: minReplicas, and Argo CD ignores /spec/replicas (argocd/apps ignoreDifferences).
*/}}
{{- define "infergate.replicas" -}}
{{- if .Values.autoscaling.enabled -}}
{{- $apiVersion := ternary "argoproj.io/v1alpha1" "apps/v1" .Values.rollout.enabled -}}
{{- $kind := ternary "Rollout" "Deployment" .Values.rollout.enabled -}}
{{- $live := lookup $apiVersion $kind .Release.Namespace (include "infergate.fullname" .) -}}
{{- if and $live (hasKey (default (dict) $live.spec) "replicas") -}}
{{- $live.spec.replicas | int -}}
{{- else -}}
{{- .Values.autoscaling.minReplicas -}}
{{- end -}}
{{- else -}}
{{- .Values.replicaCount -}}
{{- end -}}
{{- end -}}

{{/*
The service's settings as NAME: "value" lines: the ConfigMap's data and the pod template's env.
*/}}
{{- define "infergate.config" -}}
PORT: {{ .Values.containerPort | quote }}
HOST: "0.0.0.0"
{{- if .Values.grpc.enabled }}
INFERGATE_GRPC_PORT: {{ .Values.grpc.port | int | quote }}
{{- end }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
INFERGATE_MODEL_CACHE_DIR: {{ .Values.modelCache.mountPath | quote }}
INFERGATE_DRAIN_TIMEOUT_MS: {{ .Values.config.drainTimeoutMs | int64 | quote }}
{{- with .Values.config.modelRepository }}
INFERGATE_MODEL_REPOSITORY: {{ . | quote }}
{{- end }}
{{- with .Values.config.models }}
INFERGATE_MODELS: {{ . | quote }}
{{- end }}
{{- with .Values.config.versionPolicy }}
INFERGATE_VERSION_POLICY: {{ . | quote }}
{{- end }}
{{- with .Values.config.awsRegion }}
AWS_REGION: {{ . | quote }}
{{- end }}
{{- with .Values.config.s3Endpoint }}
INFERGATE_S3_ENDPOINT: {{ . | quote }}
{{- end }}
{{- if .Values.config.s3ForcePathStyle }}
INFERGATE_S3_FORCE_PATH_STYLE: "true"
{{- end }}
{{- if gt (int .Values.config.intraOpThreads) 0 }}
INFERGATE_INTRA_OP_THREADS: {{ .Values.config.intraOpThreads | int | quote }}
{{- end }}
{{- if gt (int .Values.config.workers) 0 }}
INFERGATE_WORKERS: {{ .Values.config.workers | int | quote }}
{{- end }}
{{- if gt (int64 .Values.config.bodyLimitBytes) 0 }}
INFERGATE_BODY_LIMIT_BYTES: {{ .Values.config.bodyLimitBytes | int64 | quote }}
{{- end }}
{{- if gt (int64 .Values.config.memoryBudgetBytes) 0 }}
INFERGATE_MEMORY_BUDGET_BYTES: {{ .Values.config.memoryBudgetBytes | int64 | quote }}
{{- end }}
{{- if gt (int64 .Values.config.maxModelBytes) 0 }}
INFERGATE_MAX_MODEL_BYTES: {{ .Values.config.maxModelBytes | int64 | quote }}
{{- end }}
{{- if gt (int64 .Values.config.maxRowsPerRequest) 0 }}
INFERGATE_MAX_ROWS_PER_REQUEST: {{ .Values.config.maxRowsPerRequest | int64 | quote }}
{{- end }}
INFERGATE_HEADERS_TIMEOUT_MS: {{ .Values.config.headersTimeoutMs | int64 | quote }}
INFERGATE_REQUEST_TIMEOUT_MS: {{ .Values.config.requestTimeoutMs | int64 | quote }}
INFERGATE_KEEPALIVE_TIMEOUT_MS: {{ .Values.config.keepAliveTimeoutMs | int64 | quote }}
{{- if gt (int64 .Values.config.maxRequestsPerSocket) 0 }}
INFERGATE_MAX_REQUESTS_PER_SOCKET: {{ .Values.config.maxRequestsPerSocket | int64 | quote }}
{{- end }}
INFERGATE_DOCS: {{ .Values.config.docs | toString | quote }}
{{- with .Values.config.executionProviders }}
INFERGATE_EXECUTION_PROVIDERS: {{ . | quote }}
{{- end }}
{{- range $k, $v := .Values.config.extra }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{- define "infergate.clientLabel" -}}
{{- printf "%s-client" (include "infergate.fullname" .) -}}
{{- end -}}

{{/*
Render-time checks that values.schema.json cannot express.
*/}}
{{- define "infergate.validate" -}}
{{- $drainMs := int64 .Values.config.drainTimeoutMs -}}
{{- $sleepMs := mul (int64 .Values.lifecycle.preStopSleepSeconds) 1000 -}}
{{- $graceMs := mul (int64 .Values.terminationGracePeriodSeconds) 1000 -}}
{{- if le $graceMs (add $drainMs $sleepMs) -}}
{{- fail (printf "terminationGracePeriodSeconds (%d s) must exceed config.drainTimeoutMs (%d ms) + lifecycle.preStopSleepSeconds (%d s), or the kubelet kills pods mid-drain" (int64 .Values.terminationGracePeriodSeconds) $drainMs (int64 .Values.lifecycle.preStopSleepSeconds)) -}}
{{- end -}}
{{- if and .Values.pdb.create (empty (toString .Values.pdb.minAvailable)) (empty (toString .Values.pdb.maxUnavailable)) -}}
{{- fail "pdb.create needs pdb.minAvailable or pdb.maxUnavailable" -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" -}}
{{- end -}}
{{- if and .Values.rollout.enabled .Values.rollout.trafficRouting.alb.enabled (not .Values.ingress.enabled) -}}
{{- fail "rollout.trafficRouting.alb.enabled needs ingress.enabled (the ALB Ingress is what Argo Rollouts re-weights)" -}}
{{- end -}}
{{- if and .Values.rollout.enabled .Values.rollout.trafficRouting.alb.enabled (ne .Values.ingress.alb.targetType "ip") -}}
{{- fail "rollout.trafficRouting.alb.enabled needs ingress.alb.targetType=ip" -}}
{{- end -}}
{{- if and .Values.grpc.enabled (eq (int .Values.grpc.port) (int .Values.containerPort)) -}}
{{- fail (printf "grpc.port (%d) must differ from containerPort: HTTP and gRPC listen on the same host" (int .Values.grpc.port)) -}}
{{- end -}}
{{- if and .Values.rollout.enabled .Values.rollout.analysis.enabled (ge (int .Values.rollout.analysis.startingStep) (len .Values.rollout.steps)) -}}
{{- fail "rollout.analysis.startingStep must point at one of rollout.steps" -}}
{{- end -}}
{{- $judge := .Values.rollout.analysis.judge -}}
{{- if and .Values.rollout.enabled .Values.rollout.analysis.enabled $judge.enabled (eq $judge.provider "web") (not $judge.web.url) -}}
{{- fail "rollout.analysis.judge.provider=web needs rollout.analysis.judge.web.url (where the controller reaches `infergate canary serve`)" -}}
{{- end -}}
{{- end -}}

{{/*
Pod template shared by the Deployment and the Rollout.
Pass (dict "ctx" $ "track" "stable"); the Rollout passes no fixed track (Argo Rollouts
sets the `track` label through canaryMetadata/stableMetadata).
*/}}
{{- define "infergate.podTemplate" -}}
{{- $ctx := .ctx -}}
{{- with $ctx -}}
metadata:
  labels:
    {{- include "infergate.labels" . | nindent 4 }}
    app.kubernetes.io/component: server
    {{- if $.track }}
    track: {{ $.track }}
    {{- end }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "infergate.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  {{- $nodeSelector := deepCopy .Values.nodeSelector -}}
  {{- if .Values.gpu.enabled }}{{- $nodeSelector = merge $nodeSelector .Values.gpu.nodeSelector -}}{{- end }}
  {{- with $nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- $tolerations := .Values.tolerations -}}
  {{- if .Values.gpu.enabled }}{{- $tolerations = concat $tolerations .Values.gpu.tolerations -}}{{- end }}
  {{- with $tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.topologySpread.enabled }}
  topologySpreadConstraints:
    {{- range $key, $when := dict "topology.kubernetes.io/zone" .Values.topologySpread.zoneWhenUnsatisfiable "kubernetes.io/hostname" .Values.topologySpread.hostnameWhenUnsatisfiable }}
    - maxSkew: {{ $ctx.Values.topologySpread.maxSkew }}
      topologyKey: {{ $key }}
      whenUnsatisfiable: {{ $when }}
      labelSelector:
        matchLabels:
          {{- include "infergate.selectorLabels" $ctx | nindent 10 }}
      matchLabelKeys:
        - {{ if $ctx.Values.rollout.enabled }}rollouts-pod-template-hash{{ else }}pod-template-hash{{ end }}
    {{- end }}
  {{- end }}
  containers:
    - name: server
      image: {{ include "infergate.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      securityContext:
        {{- toYaml .Values.containerSecurityContext | nindent 8 }}
      ports:
        - name: http
          containerPort: {{ .Values.containerPort }}
          protocol: TCP
        {{- if .Values.grpc.enabled }}
        - name: grpc
          containerPort: {{ .Values.grpc.port }}
          protocol: TCP
        {{- end }}
      env:
        # The settings inline, not envFrom the ConfigMap: a ConfigMap is changed in place by an
        # upgrade, so a stable pod started during a canary would read the candidate's settings.
        {{- range $name, $value := include "infergate.config" . | fromYaml }}
        - name: {{ $name }}
          value: {{ $value | quote }}
        {{- end }}
        # The service labels every metric with its track. Read from the pod label so the
        # canary ReplicaSet of a Rollout (canaryMetadata: track=canary) reports `canary`.
        - name: INFERGATE_TRACK
          valueFrom:
            fieldRef:
              fieldPath: metadata.labels['track']
        # The memory budget and the largest model follow the container's limit (resources.limits.memory).
        - name: INFERGATE_MEMORY_LIMIT_BYTES
          valueFrom:
            resourceFieldRef:
              resource: limits.memory
        {{- if .Values.routing.existingSecret }}
        - name: INFERGATE_ROUTING_SECRET
          valueFrom:
            secretKeyRef:
              name: {{ .Values.routing.existingSecret }}
              key: {{ .Values.routing.existingSecretKey }}
        {{- end }}
        {{- if .Values.admin.existingSecret }}
        - name: INFERGATE_ADMIN_TOKEN
          valueFrom:
            secretKeyRef:
              name: {{ .Values.admin.existingSecret }}
              key: {{ .Values.admin.existingSecretKey }}
        {{- end }}
        {{- with .Values.extraEnvVars }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if .Values.startupProbe.enabled }}
      startupProbe:
        {{- include "infergate.probe" .Values.startupProbe | nindent 8 }}
      {{- end }}
      {{- if .Values.livenessProbe.enabled }}
      livenessProbe:
        {{- include "infergate.probe" .Values.livenessProbe | nindent 8 }}
      {{- end }}
      {{- if .Values.readinessProbe.enabled }}
      readinessProbe:
        {{- include "infergate.probe" .Values.readinessProbe | nindent 8 }}
      {{- end }}
      {{- if gt (int .Values.lifecycle.preStopSleepSeconds) 0 }}
      lifecycle:
        preStop:
          sleep:
            seconds: {{ .Values.lifecycle.preStopSleepSeconds }}
      {{- end }}
      resources:
        {{- $resources := deepCopy .Values.resources -}}
        {{- if .Values.gpu.enabled -}}
        {{- $limits := default (dict) $resources.limits -}}
        {{- $_ := set $limits .Values.gpu.resourceName (int .Values.gpu.count) -}}
        {{- $_ := set $resources "limits" $limits -}}
        {{- end }}
        {{- toYaml $resources | nindent 8 }}
      volumeMounts:
        - name: model-cache
          mountPath: {{ .Values.modelCache.mountPath }}
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: model-cache
      emptyDir:
        {{- with .Values.modelCache.medium }}
        medium: {{ . }}
        {{- end }}
        sizeLimit: {{ .Values.modelCache.sizeLimit }}
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
{{- end -}}
{{- end -}}

{{- define "infergate.probe" -}}
httpGet:
  path: {{ .path }}
  port: http
initialDelaySeconds: {{ .initialDelaySeconds }}
periodSeconds: {{ .periodSeconds }}
timeoutSeconds: {{ .timeoutSeconds }}
failureThreshold: {{ .failureThreshold }}
successThreshold: {{ .successThreshold }}
{{- end -}}
