// No Docker engine runs here, so the compose file is checked for what can go wrong
// without one: it parses, and every Herald setting in it is one Herald reads and accepts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readConfig } from '../../common/config.js';

// Compose supports YAML merge keys (`<<: *herald-env`), so the parse must too.
const compose = parse(readFileSync(new URL('../../docker-compose.temporal.yml', import.meta.url), 'utf8'), { merge: true });

describe('docker-compose.temporal.yml', () => {
  it('has the whole stack', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'clickhouse', 'mailpit', 'herald-api', 'herald-worker']),
    );
  });

  it.each(['herald-api', 'herald-worker'])('%s environment is valid Herald configuration pointing at the compose services', (name) => {
    const env = compose.services[name].environment as Record<string, string>;
    const config = readConfig(env);
    expect(config.temporalAddress).toBe('temporal:7233');
    expect(new URL(config.databaseUrl ?? '').hostname).toBe('postgresql');
    expect(new URL(config.clickhouseUrl ?? '').hostname).toBe('clickhouse');
    expect(new URL(config.smtpUrl ?? '').hostname).toBe('mailpit');
    for (const dep of Object.keys(compose.services[name].depends_on)) expect(compose.services).toHaveProperty(dep);
  });

  it("gives Temporal the dynamic config Herald's graceful drains rely on", () => {
    const temporal = compose.services.temporal;
    const mount = (temporal.volumes as string[]).find((v) => v.includes('dynamicconfig'));
    expect(mount).toBeDefined();
    const file = parse(readFileSync(new URL(`../../${mount?.split(':')[0]}`, import.meta.url), 'utf8'));
    expect(file['frontend.enableCancelWorkerPollsOnShutdown']).toEqual([{ value: true }]);
    expect(temporal.environment.DYNAMIC_CONFIG_FILE_PATH).toBe(`config/dynamicconfig/${mount?.split('/').at(-1)?.split(':')[0]}`);
  });

  it('runs the processes through package scripts that exist', () => {
    const scripts = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts;
    expect(scripts).toHaveProperty(compose.services['herald-api'].command[2]);
    expect(scripts).toHaveProperty(compose.services['herald-worker'].command[2]);
  });
});
