import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { it } from 'vitest';
import { ADMIN_KEY, startStack } from '../helpers/stack.js';
it('debug', async () => {
  const stack = await startStack();
  const ROOT = join(import.meta.dirname, '../..');
  const r = await promisify(execFile)('python3', [join(ROOT, '.tools/schemathesis/bin/schemathesis'), 'run', `${stack.api.url}/openapi.json`, '--header', `Authorization: Bearer ${ADMIN_KEY}`, '--checks', 'not_a_server_error', '-n', '3', '--phases', 'examples', '--include-path-regex', '^/v1/(users|templates)$', '--report', 'har', '--report-har-path', '/tmp/st.har'], { env: { ...process.env, PYTHONPATH: join(ROOT, '.tools/schemathesis') }, encoding: 'utf8' }).catch((e: any) => e);
  console.log(r.stdout.slice(-3000));
  await stack.stop();
}, 120_000);
