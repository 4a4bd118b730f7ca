// The configuration reference is generated from the schema, so every variable Herald reads is
// documented once: each has a group and a description, and docs/configuration.md is what the
// schema generates now (CI runs `npm run generate:config-docs -- --check` too).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../common/config.js';
import { CONFIG_DOCS_PATH, renderConfigDocs, variableDocs } from '../../scripts/generate-config-docs.js';

describe('docs/configuration.md', () => {
  it('documents every variable of the schema, with its default or what unset means', () => {
    const docs = variableDocs();
    expect(docs.map((d) => d.name)).toEqual(Object.keys(envSchema.shape));
    const text = readFileSync(CONFIG_DOCS_PATH, 'utf8');
    for (const d of docs) {
      expect(d.description.length, d.name).toBeGreaterThan(10);
      expect(text).toContain(`| \`${d.name}\` | ${d.defaultText.replace(/\|/g, '\\|')} |`);
    }
    expect(docs.find((d) => d.name === 'HERALD_PORT')?.defaultText).toBe('`3000`');
    expect(docs.find((d) => d.name === 'HERALD_QUEUES')?.defaultText).toBe('`high,medium,low`');
    expect(docs.find((d) => d.name === 'TEMPORAL_API_KEY')?.defaultText).toBe('— (no API key)');
  });

  it('is current with the schema', () => {
    expect(readFileSync(CONFIG_DOCS_PATH, 'utf8')).toBe(renderConfigDocs());
  });
});
