# syntax=docker/dockerfile:1.7
#
# infergate image: Node 26 (the active LTS, as in .nvmrc) + onnxruntime-node on Debian bookworm
# slim (glibc: the prebuilt onnxruntime native library does not run on musl/alpine).
#
#   docker buildx build -t infergate:dev .
#   docker run --rm -p 8080:8080 infergate:dev
#
# Stages: build (all dependencies, tsc → dist/), prod-deps (production dependencies only, native
# binaries for the target platform only), runtime (compiled JS + prod deps + bundled model,
# non-root, no npm/yarn/corepack, no package caches). npm caches live in BuildKit cache mounts,
# never in a layer. service/test/docker/production-install.test.ts replays the prod-deps and
# runtime steps outside Docker and starts the server from the result.
#
# The base image is pinned by its exact version, the one .nvmrc pins for development and CI, in
# one FROM line (Dependabot's docker ecosystem, .github/dependabot.yml, proposes updates); every
# stage derives from it, so the native modules installed in prod-deps match the runtime's glibc
# and Node ABI. Pin its digest too (`docker buildx imagetools inspect node:<tag>`) where a
# registry is reachable; the machine this was written on reaches none.
FROM node:26.12.1-bookworm-slim AS base

# ---------------------------------------------------------------------------------------------
FROM base AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
# --omit=optional: the image has its Node; package.json's optional node-linux-* packages pin the
# same Node for npm scripts on development machines and CI only.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=optional --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY service/src ./service/src
COPY tools/src ./tools/src
RUN npm run build

# ---------------------------------------------------------------------------------------------
FROM base AS prod-deps
# Set by BuildKit from --platform (amd64 or arm64).
ARG TARGETARCH
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: onnxruntime-node's postinstall only fetches optional GPU libraries (and
# .npmrc skips it anyway); its CPU binaries ship in the package. Then keep only the binaries
# of the target platform (the package carries darwin/win32/linux for x64 and arm64, ~290 MB).
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && case "${TARGETARCH:-amd64}" in \
      amd64) ort_arch=x64 ;; \
      arm64) ort_arch=arm64 ;; \
      *) echo "unsupported TARGETARCH=${TARGETARCH}" >&2; exit 1 ;; \
    esac \
 && find node_modules/onnxruntime-node/bin -mindepth 3 -maxdepth 3 -type d ! -path "*/linux/${ort_arch}" -exec rm -rf {} + \
 && find node_modules/onnxruntime-node/bin -mindepth 1 -type d -empty -delete \
 && ls node_modules/onnxruntime-node/bin/napi-v*/linux/"${ort_arch}"/onnxruntime_binding.node

# ---------------------------------------------------------------------------------------------
FROM base AS runtime
# The service needs no package manager at run time: drop npm, npx, corepack and yarn (smaller,
# and fewer packages for scanners to report).
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    INFERGATE_MODEL_CACHE_DIR=/tmp/infergate-cache
WORKDIR /app
# Owned by root and not writable by the service user; the model cache goes to /tmp (an emptyDir
# in Kubernetes, where the root filesystem is read-only).
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /src/dist/service/src ./dist/service/src
# The tools, for the `infergate` command in the image: the Argo Rollouts analysis Job runs
# `infergate canary evaluate` (bin/infergate.js runs the compiled dist/tools/src).
COPY --from=build /src/dist/tools/src ./dist/tools/src
COPY bin ./bin
# The bundled model repository: the service's default INFERGATE_MODEL_REPOSITORY resolves to
# /app/models/repository (found by walking up from dist/service/src).
COPY models/repository ./models/repository
# The Open Inference Protocol's gRPC definition, read at start-up when INFERGATE_GRPC_PORT is set
# (the Helm chart sets it; found the same way, under /app).
COPY service/proto ./service/proto
# The official image's unprivileged "node" user, numerically so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/v2/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/service/src/main.js"]
