// The `herald` CLI as a user runs it: a child process against a running stack, configured by
// HERALD_URL and HERALD_API_KEY.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { ADMIN_KEY, eventually, startStack, type TestStack } from '../../testkit/stack.js';

const ROOT = join(import.meta.dirname, '../..');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function write(dir: string, tree: Record<string, string>): void {
  for (const [rel, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

describe('herald CLI', () => {
  let stack: TestStack;
  let tmp: string;
  const herald = (...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'cli/main.ts', ...args],
        { cwd: ROOT, env: { ...process.env, HERALD_URL: stack.api.url, HERALD_API_KEY: ADMIN_KEY }, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    stack = await startStack();
    tmp = mkdtempSync(join(tmpdir(), 'herald-cli-'));
  });
  afterAll(async () => {
    await stack?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('templates push then pull round-trips the files byte for byte', async () => {
    const source = join(tmp, 'templates');
    const tree = {
      'welcome/template.json': `${JSON.stringify(
        {
          category: 'onboarding',
          defaultPriority: 'high',
          email: { subject: 'Welcome, {{name}}!' },
          exampleData: { name: 'Example' },
          locales: { de: { email: { subject: 'Willkommen, {{name}}!' } } },
          name: 'Welcome',
          variables: { properties: { name: { type: 'string' } }, required: ['name'], type: 'object' },
        },
        null,
        2,
      )}\n`,
      'welcome/email.html.hbs': '<h1>Hello {{name}}</h1>\n<p>Glad you are here.</p>\n',
      'welcome/email.text.hbs': 'Hello {{name}}\nGlad you are here.\n',
      'welcome/locales/de/email.html.hbs': '<h1>Hallo {{name}}</h1>\n',
      'otp/template.json': `${JSON.stringify({ defaultPriority: 'high', exampleData: { code: '123456' } }, null, 2)}\n`,
      'otp/sms.text.hbs': 'Your code is {{code}}',
    };
    write(source, tree);

    const push = await herald('templates', 'push', source, '--publish');
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    expect(push.stdout).toContain('welcome: draft saved (email), published v1');
    expect(push.stdout).toContain('otp: draft saved (sms), published v1');
    const server = await stack.request('GET', '/v1/templates/welcome');
    expect(server.body.email.html).toBe(tree['welcome/email.html.hbs']);
    expect(server.body.locales.de.email).toEqual({ subject: 'Willkommen, {{name}}!', html: '<h1>Hallo {{name}}</h1>\n' });

    const pulled = join(tmp, 'pulled');
    const pull = await herald('templates', 'pull', pulled);
    expect(pull.code).toBe(0);
    expect(pull.stdout).toContain('pulled 2 templates');
    expect(files(pulled)).toEqual(tree);

    // An edit shows up as a one-line change in one file, which is what a git diff reviews.
    writeFileSync(join(pulled, 'welcome/email.text.hbs'), 'Hi {{name}}\nGlad you are here.\n');
    expect((await herald('templates', 'push', pulled)).code).toBe(0);
    expect((await stack.request('GET', '/v1/templates/welcome')).body.email.text).toBe('Hi {{name}}\nGlad you are here.\n');
  });

  it('imports users from JSON lines with progress, then sends and follows the status to completion', async () => {
    const file = join(tmp, 'users.jsonl');
    const users = Array.from({ length: 25 }, (_, i) => JSON.stringify({ id: `u${i}`, name: `User ${i}`, email: `u${i}@example.com` }));
    writeFileSync(file, `${users.join('\n')}\n{"name":"no id"}\n`);
    const imported = await herald('users', 'import', file);
    expect(imported.stdout).toContain('imported 25 of 26 users');
    expect(imported.stderr).toMatch(/line 26: /);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toMatch(/import \|/); // the progress bar, printed as lines without a TTY
    expect((await stack.request('GET', '/v1/users/u24')).body.email).toBe('u24@example.com');

    // sendAt a moment ahead, so the watch sees the run before it finishes and draws the bar.
    const sendAt = new Date(Date.now() + 6000).toISOString();
    const sent = await herald('send', '--template', 'welcome', '--to', 'u1,u2', '--data', '{"name":"Ada"}', '--priority', 'high', '--send-at', sendAt);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const id = /^(ntf_\w+) (scheduled|sending|completed)/.exec(sent.stdout)?.[1];
    expect(id).toBeDefined();

    const status = await herald('status', id ?? '', '--watch', '--interval', '200');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${id} completed: 2/2 done (sent 2,`);
    // Without a TTY the bar is printed as a line per second, e.g. `ntf_… |░░░░| 0/1 scheduled sent 0 failed 0 | 1s`.
    expect(status.stderr).toMatch(new RegExp(`${id} \\|░+\\| 0/\\d scheduled`));
    expect(status.stderr).toMatch(new RegExp(`${id} \\|█+\\| 2/2 completed sent 2 failed 0`));
    await stack.smtp.waitForCount(2);
    expect(stack.smtp.mails().map((m) => m.envelopeTo[0]).sort()).toEqual(['u1@example.com', 'u2@example.com']);

    const json = await herald('--json', 'status', id ?? '');
    expect(JSON.parse(json.stdout)).toMatchObject({ id, status: 'completed', counts: { total: 2, sent: 2 } });
  });

  it('send --attach, --cc, --bcc and --reply-to: the SMTP server gets the file, the headers, and bcc only in the envelope', async () => {
    const pdf = join(tmp, 'invoice.pdf');
    const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2048, 7)]);
    writeFileSync(pdf, bytes);
    const sent = await herald('send', '-t', 'welcome', '--to', 'u3', '-d', '{"name":"Ada"}', '--channels', 'email', '--attach', pdf, '--cc', 'boss@example.com', '--bcc', 'archive@example.com', '--reply-to', 'finance@example.com');
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const id = /^(ntf_\w+) /.exec(sent.stdout)?.[1];
    const mail = await eventually(async () => stack.smtp.mails().find((m) => m.headers['x-herald-notification'] === id));
    expect(mail.envelopeTo).toEqual(['u3@example.com', 'boss@example.com', 'archive@example.com']);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.replyTo?.text).toBe('finance@example.com');
    expect(parsed.cc && !Array.isArray(parsed.cc) ? parsed.cc.text : undefined).toBe('boss@example.com');
    expect(mail.raw).not.toContain('archive@example.com');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content.equals(bytes)])).toEqual([['invoice.pdf', 'application/pdf', true]]);
  });

  it("prints the API's error and exits 1", async () => {
    const approve = await herald('approve', 'ntf_missing');
    expect(approve.code).toBe(1);
    expect(approve.stderr).toMatch(/^error: 404 not_found: /);
    const cancel = await herald('cancel', 'ntf_missing');
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(/^error: 404 not_found: /);
    const bad = await herald('send', '--template', 'nope', '--to', 'u1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: 4\d\d \w+: /);
    const noKey = await new Promise<CliResult>((resolve) =>
      execFile(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'status', 'x'], { cwd: ROOT, env: { ...process.env, HERALD_API_KEY: '' } }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(noKey.stderr).toContain('an API key is required');
  });

  it('lists providers, or prints why it cannot', async () => {
    const r = await herald('providers', 'list');
    if (r.code === 0) expect(r.stdout).toMatch(/no providers configured|\t/);
    else expect(r.stderr).toMatch(/^error: \d{3} \w+: /);
  });
});
