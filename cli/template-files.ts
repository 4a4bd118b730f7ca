// Templates as code: one folder per template key, with `template.json` for the settings and
// one `.hbs` file per body (html, text, markdown…), so a change to a template is a readable
// diff in a git repository. The mapping is deterministic (keys sorted, fixed file names), so
// `templates pull` after `templates push` reproduces the same bytes.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Template, TemplateRequest } from '../sdk/src/index.js';

/** The long fields that live in their own files: `<channel>.<field>.hbs`. */
export const BODY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  email: ['html', 'text'],
  sms: ['text'],
  chat: ['markdown'],
  push: ['body'],
  inapp: ['body'],
};
const CHANNEL_KEYS = ['email', 'sms', 'chat', 'push', 'inapp', 'webhook'];
const SETTINGS_KEYS = ['name', 'category', 'defaultPriority', 'variables', 'recipientVariables', 'exampleData'];
export const TEMPLATE_JSON = 'template.json';

type Json = Record<string, unknown>;
/** Relative path → contents. */
export type FileSet = Map<string, string>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
}

export function stableJson(v: unknown): string {
  return `${JSON.stringify(sortKeys(v), null, 2)}\n`;
}

/** Moves body fields of one content object (a channel's, or a locale's overrides) into files. */
function extractBodies(content: Json, prefix: string, files: FileSet): Json {
  const rest: Json = {};
  for (const [channel, value] of Object.entries(content)) {
    if (!CHANNEL_KEYS.includes(channel) || !isObject(value)) continue;
    const kept: Json = {};
    for (const [field, v] of Object.entries(value)) {
      if (BODY_FIELDS[channel]?.includes(field) && typeof v === 'string') files.set(`${prefix}${channel}.${field}.hbs`, v);
      else kept[field] = v;
    }
    if (Object.keys(kept).length > 0) rest[channel] = kept;
  }
  return rest;
}

/** The files of one template as the server holds its draft. */
export function templateToFiles(t: Template): FileSet {
  const files: FileSet = new Map();
  const settings: Json = {};
  const source = t as unknown as Json;
  for (const k of SETTINGS_KEYS) if (source[k] !== undefined && source[k] !== null) settings[k] = source[k];
  Object.assign(settings, extractBodies(source, '', files));
  if (isObject(source.locales)) {
    const locales: Json = {};
    for (const [locale, overrides] of Object.entries(source.locales)) {
      if (!isObject(overrides)) continue;
      const rest = extractBodies(overrides, `locales/${locale}/`, files);
      if (Object.keys(rest).length > 0) locales[locale] = rest;
    }
    if (Object.keys(locales).length > 0) settings.locales = locales;
  }
  files.set(TEMPLATE_JSON, stableJson(settings));
  return files;
}

function setPath(target: Json, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = isObject(next) ? next : (node[key] = {});
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

/** The PUT body rebuilt from a template's files. */
export function filesToTemplate(files: FileSet): TemplateRequest {
  const json = files.get(TEMPLATE_JSON);
  if (json === undefined) throw new Error(`${TEMPLATE_JSON} is missing`);
  const parsed: unknown = JSON.parse(json);
  if (!isObject(parsed)) throw new Error(`${TEMPLATE_JSON} must hold a JSON object`);
  for (const [path, text] of files) {
    if (path === TEMPLATE_JSON) continue;
    const m = /^(?:locales\/([^/]+)\/)?([a-z]+)\.([a-zA-Z]+)\.hbs$/.exec(path);
    if (!m?.[2] || !m[3] || !BODY_FIELDS[m[2]]?.includes(m[3])) throw new Error(`unexpected file ${path}: bodies are named <channel>.<field>.hbs (${describeBodyFiles()})`);
    setPath(parsed, m[1] ? ['locales', m[1], m[2], m[3]] : [m[2], m[3]], text);
  }
  return parsed as TemplateRequest;
}

export function describeBodyFiles(): string {
  return Object.entries(BODY_FIELDS).flatMap(([c, fields]) => fields.map((f) => `${c}.${f}.hbs`)).join(', ');
}

async function walk(dir: string, base = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(dir, rel)));
    else if (entry.isFile() && !entry.name.startsWith('.')) out.push(rel);
  }
  return out.sort();
}

/** Template folders under `root`: every subfolder holding a template.json, by key. */
export async function readTemplateDir(root: string): Promise<Map<string, FileSet>> {
  const result = new Map<string, FileSet>();
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = join(root, entry.name);
    const paths = await walk(dir);
    if (!paths.includes(TEMPLATE_JSON)) continue;
    const files: FileSet = new Map();
    for (const p of paths) files.set(p, await readFile(join(dir, p), 'utf8'));
    result.set(entry.name, files);
  }
  return result;
}

/** Replaces one template's folder with exactly these files. */
export async function writeTemplateFiles(root: string, key: string, files: FileSet): Promise<void> {
  const dir = join(root, key);
  // Rewritten whole so a body removed on the server disappears from the folder too.
  await rm(dir, { recursive: true, force: true });
  for (const [rel, text] of files) {
    const path = join(dir, rel);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text);
  }
}
