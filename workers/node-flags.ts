// The V8 flags a worker process runs with, wherever it is started (compose, the Kubernetes
// manifests, `npm run worker`, the benchmarks); test/production checks the manifests name
// these. A campaign allocates fast: with Node's defaults the old generation fills with
// garbage that V8 collects only when its limit grows, so the worker's RSS grew with the
// campaign's size (+145 MB at 10,000 recipients, +358 MB at 300,000). A larger young
// generation lets a batch's short-lived objects die there instead of being promoted, and a
// capped old generation bounds what is left (the live heap is about 72 MB). Measured side by
// side by `npm run bench -- memory-audience` (bench/README, "Seventh session").
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=64', '--max-old-space-size=256'] as const;
