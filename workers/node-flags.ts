// The V8 flags a worker process runs with, wherever it is started (compose, the Kubernetes
// manifests, `npm run worker`, the chaos runs and the benchmarks); test/production checks the
// manifests name these. A campaign allocates fast: with Node's defaults its short-lived objects
// outlive the small young generation, are promoted, and fill the old generation with garbage
// that V8 collects only as it raises its limit, so a long campaign kept growing the worker's RSS
// (+358 MB over 300,000 recipients). A larger young generation lets them die there, and a capped
// old generation bounds what is left (the live heap is about 72 MB): +147 MB over a million.
// Measured by `npm run bench -- memory-audience` and `million` (bench/README, "Seventh session").
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=64', '--max-old-space-size=256'] as const;
