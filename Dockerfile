# Herald's image: one image for every process; the command picks it.
#   API (default)        node dist/api/main.js        port 3000, HEALTHCHECK on /healthz; ops port 9464 (/metrics)
#   workers              node --max-semi-space-size=64 --max-old-space-size=256 dist/workers/main.js
#                        HERALD_QUEUES=high (or medium,low) per deployment; the flags: workers/node-flags.ts
#   bounce receiver      node dist/inbound/main.js    needs HERALD_BOUNCE_DOMAIN
#   CLI                  node dist/cli/main.js --help
# Build: docker build -t herald .   (the build stage compiles; the runtime stage holds only
# dist/, production node_modules, package.json and the dashboard's built files).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY dashboard/package.json dashboard/package-lock.json dashboard/
RUN npm ci --prefix dashboard --no-audit --no-fund
COPY . .
# The dashboard's files (served by the API at /dashboard), then dist/ and dist/workflow-bundle.js.
RUN npm run build --prefix dashboard && npm run build

FROM ${NODE_IMAGE} AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/prune-production-modules.sh ./
# Only `dependencies`; then the Temporal core bridge's builds for other platforms go.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
  && bash prune-production-modules.sh node_modules

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM to node (graceful drains) and reaps zombies.
RUN apt-get update && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the process: the code cannot be changed at run time.
COPY package.json ./
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/dashboard/dist ./dashboard/dist
# The base image's unprivileged user (uid 1000).
USER node
EXPOSE 3000 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HERALD_PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/api/main.js"]
