// deploy/kubernetes/: validated offline against the Kubernetes API schemas (PyPI
// kubernetes-validate, strict, via scripts/validate-kubernetes.sh, which .ci/run also runs),
// and read for what a schema cannot know: every priority has its workers, probes and the
// non-root security context are everywhere, configuration comes from the ConfigMap and the
// Secret and is a production configuration Herald accepts, the HPAs and PDBs select real pods.
// (That every command they run exists after `npm run build`: test/production/build.test.ts.)
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { readConfig } from '../../common/config.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'deploy/kubernetes');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');

const objects: any[] = files.flatMap((f) => parseAllDocuments(readFileSync(join(DIR, f), 'utf8')).map((d) => ({ ...d.toJS(), file: f })));
const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
const deployments = ofKind('Deployment');
const workers = deployments.filter((d) => d.spec.template.spec.containers[0].args.at(-1) === 'dist/workers/main.js');
const envOf = (container: any, name: string) => container.env?.find((e: any) => e.name === name)?.value as string | undefined;
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

const validate = (dir: string) => run('bash', [join(ROOT, 'scripts/validate-kubernetes.sh'), dir], { cwd: ROOT, timeout: 300_000 });

describe('deploy/kubernetes', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'herald-kube-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('validates against the Kubernetes schemas (strict)', async () => {
    const { stdout, stderr } = await validate('deploy/kubernetes');
    const passed = `${stdout}${stderr}`.match(/ passed for resource /g) ?? [];
    expect(passed.length).toBe(objects.length);
  }, 300_000);

  it('the validator refuses a manifest with a misspelt field', async () => {
    const api = readFileSync(join(DIR, 'api.yaml'), 'utf8').replace('readinessProbe:', 'readynessProbe:');
    writeFileSync(join(scratch, 'api.yaml'), api);
    const failed = await validate(scratch).then(
      () => 'passed',
      (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`,
    );
    expect(failed).toMatch(/readynessProbe/);
  }, 300_000);

  it('runs the API and one worker Deployment per priority, high on its own', () => {
    expect(deployments.map((d) => d.metadata.name)).toEqual(expect.arrayContaining(['herald-api', 'herald-worker-high', 'herald-worker-medium', 'herald-worker-low']));
    const queues = workers.map((d) => envOf(d.spec.template.spec.containers[0], 'HERALD_QUEUES'));
    expect(queues.sort()).toEqual(['high', 'low', 'medium']);
    const service = ofKind('Service').find((s) => s.metadata.name === 'herald-api');
    const api = deployments.find((d) => d.metadata.name === 'herald-api');
    expect(matches(service.spec.selector, api.spec.template.metadata.labels)).toBe(true);
    expect(service.spec.ports[0].targetPort).toBe(api.spec.template.spec.containers[0].ports[0].name);
  });

  it.each(deployments.map((d) => [d.metadata.name, d]))('%s: non-root, probed, configured from the ConfigMap and the Secret', (_name, d: any) => {
    const pod = d.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
    for (const c of pod.containers) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.livenessProbe).toBeDefined();
      expect(c.readinessProbe).toBeDefined();
      expect(c.resources.requests).toBeDefined();
      expect(c.envFrom).toEqual([{ configMapRef: { name: 'herald-config' } }, { secretRef: { name: 'herald-secrets' } }]);
      // The image's ENTRYPOINT (tini) stays; only its arguments are given.
      expect(c.command).toBeUndefined();
      // Probes ask ports the container declares.
      for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe].filter(Boolean)) {
        const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
        expect(c.ports.map((p: any) => p.name)).toContain(port);
      }
    }
  });

  it('probes the API on /healthz and /readyz, scrapes its ops port, and probes the workers on /healthz', () => {
    const api = deployments.find((d) => d.metadata.name === 'herald-api').spec.template.spec.containers[0];
    expect(api.livenessProbe.httpGet.path).toBe('/healthz');
    expect(api.readinessProbe.httpGet.path).toBe('/readyz');
    const config = ofKind('ConfigMap')[0].data;
    expect(api.ports[0].containerPort).toBe(Number(config.HERALD_PORT));
    // Metrics are scraped from the ops listener, not the public port.
    expect(api.ports.find((p: { name: string }) => p.name === 'ops').containerPort).toBe(Number(config.HERALD_OPS_PORT));
    expect(deployments.find((d) => d.metadata.name === 'herald-api').spec.template.metadata.annotations['prometheus.io/port']).toBe(config.HERALD_OPS_PORT);
    for (const w of workers) {
      const c = w.spec.template.spec.containers[0];
      expect(c.ports[0].containerPort).toBe(Number(config.HERALD_WORKER_METRICS_PORT));
      expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      expect(c.readinessProbe.httpGet.path).toBe('/healthz');
    }
  });

  it('scales with HPAs and PodDisruptionBudgets that select real Deployments', () => {
    const hpas = ofKind('HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name)).toEqual(expect.arrayContaining(['herald-api']));
    for (const h of hpas) expect(deployments.map((d) => d.metadata.name)).toContain(h.spec.scaleTargetRef.name);
    const pdbs = ofKind('PodDisruptionBudget');
    for (const d of deployments) {
      const covering = pdbs.filter((p) => matches(p.spec.selector.matchLabels, d.spec.template.metadata.labels));
      expect(covering.length, `${d.metadata.name}: one PodDisruptionBudget`).toBe(1);
    }
    // Everything lives in the herald namespace the manifests create.
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace, `${o.file}: ${o.kind}`).toBe('herald');
  });

  it('is a production configuration Herald accepts once the Secret has real values', () => {
    const config = ofKind('ConfigMap')[0].data;
    const secret = ofKind('Secret')[0];
    expect(secret.metadata.name).toBe('herald-secrets');
    expect(Object.keys(secret.stringData).sort()).toEqual(['DATABASE_URL', 'HERALD_BOOTSTRAP_ADMIN_KEY', 'HERALD_SECRET_KEY', 'SMTP_URL']);
    // No secret in the ConfigMap.
    for (const key of Object.keys(config)) expect(key).not.toMatch(/SECRET|KEY$|PASSWORD|DATABASE_URL|SMTP_URL/);
    const real = { DATABASE_URL: 'postgres://herald:pw@db.internal:5432/herald', HERALD_SECRET_KEY: 'bG9uZy1yYW5kb20tc2VjcmV0LWtleS0zMi1ieXRlcyE=', HERALD_BOOTSTRAP_ADMIN_KEY: '4f1c2a9be07d43e8a1b6c5d9e2f0a7b3c4d5e6f708192a3b', SMTP_URL: 'smtps://u:p@smtp.example.com:465' };
    expect(config.NODE_ENV).toBe('production');
    const parsed = readConfig({ ...config, ...real });
    expect(parsed.publicUrl).toMatch(/^https:\/\//);
    // The placeholder Secret is not applied by kustomize: a deployment never starts on it.
    const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'));
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    for (const r of kustomization.resources) expect(files).toContain(r);
    expect(kustomization.resources).toEqual(expect.arrayContaining(['namespace.yaml', 'configmap.yaml', 'api.yaml', 'workers.yaml']));
  });
});
