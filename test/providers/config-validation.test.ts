// Provider configs are typed per kind (each adapter's zod schema, channels/config-schema.ts),
// through the real API and PostgreSQL: PUT and PATCH refuse a config with a 422 naming each
// unknown, missing or invalid field; every kind accepts a realistic config and never returns
// a field its schema marks write-only; /openapi.json describes PUT's body as one variant per
// kind with that kind's config.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configProblems, secretFields } from '../../channels/config-schema.js';
import { createChannelRegistry } from '../../channels/registry.js';
import { createSecretBox } from '../../common/secret-box.js';
import { findProvider } from '../../schema/queries/providers.js';
import { startStack, type TestStack } from '../../testkit/stack.js';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = publicKey.export({ format: 'jwk' });
const VAPID_PUBLIC = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]).toString('base64url');
const VAPID_PRIVATE = privateKey.export({ format: 'jwk' }).d ?? '';
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nsecret-pem-body-0001\n-----END PRIVATE KEY-----\n';

/** A realistic config of every kind; each secret value is unique so a read can be searched for it. */
const EXAMPLES: Record<string, Record<string, unknown>> = {
  smtp: { host: 'smtp.example.com', port: 587, auth: { user: 'mailer', pass: 'smtp-pass-secret-01' }, from: 'Herald <noreply@example.com>' },
  webhook: { secret: 'webhook-signing-secret-02', headers: { 'x-api-key': 'abc' } },
  slack: { webhookUrl: 'https://hooks.slack.com/services/T0/B0/slack-token-secret-03' },
  discord: { webhookUrl: 'https://discord.com/api/webhooks/1/discord-token-secret-04', username: 'Herald' },
  teams: { webhookUrl: 'https://example.webhook.office.com/webhookb2/teams-token-secret-05' },
  telegram: { botToken: '123456:telegram-token-secret-06', parseMode: 'HTML' },
  'dingtalk-robot': { webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=dingtalk-token-secret-07', secret: 'SECdingtalk-sign-secret-08', atAll: false },
  'wecom-robot': { webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-secret-09' },
  'feishu-bot': { webhookUrl: 'https://open.feishu.cn/open-apis/bot/v2/hook/feishu-token-secret-10', secret: 'feishu-sign-secret-11' },
  twilio: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'twilio-token-secret-12', from: '+15005550006' },
  'aliyun-sms': { accessKeyId: 'LTAI5tExampleKeyId', accessKeySecret: 'aliyun-secret-13', signName: 'Herald' },
  'tencent-sms': { secretId: 'AKIDexample', secretKey: 'tencent-secret-14', sdkAppId: '1400006666', signName: 'Herald' },
  'generic-http-sms': { url: 'https://gw.example.com/send?to={{to}}', headers: { authorization: 'Bearer gateway-secret-15' }, bodyTemplate: '{"text":"{{text}}"}', successBodyPattern: '"ok":\\s*true' },
  webpush: { vapidSubject: 'mailto:ops@example.com', vapidPublicKey: VAPID_PUBLIC, vapidPrivateKey: VAPID_PRIVATE },
  fcm: { serviceAccount: { type: 'service_account', project_id: 'fcm-project-16', client_email: 'herald@fcm-project-16.iam.gserviceaccount.com', private_key: PEM_KEY, private_key_id: 'fcm-key-id-secret-16' } },
  apns: { teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: PEM_KEY.replace('0001', '0017'), topic: 'com.example.shop' },
  ses: { region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'ses-secret-18', from: 'noreply@example.com' },
  sns: { region: 'us-east-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sns-secret-19', senderId: 'Herald' },
  'dingtalk-work-notice': { appKey: 'dingappkey', appSecret: 'dingtalk-app-secret-20', agentId: 123456 },
  'wecom-app': { corpId: 'ww0123456789', corpSecret: 'wecom-corp-secret-21', agentId: '1000002' },
  'slack-bot': { botToken: 'xoxb-slack-bot-secret-22' },
  'feishu-app': { appId: 'cli_a1b2c3', appSecret: 'feishu-app-secret-23' },
  jpush: { appKey: '0123456789abcdef01234567', masterSecret: 'abcdef0123456789abcdef01' },
  'wechat-template': { appId: 'wx0123456789abcdef', appSecret: '0123456789abcdef0123456789abcd24', templateId: 'tmpl-0123456789abcdefghij' },
  'huawei-push': { appId: '104512345', appSecret: 'huawei-app-secret-0025' },
  'xiaomi-push': { appSecret: 'xiaomi-app-secret-026', packageName: 'com.example.shop' },
};

const registry = createChannelRegistry();
const KINDS = registry.kinds().map((kind) => {
  const a = registry.get(kind)!;
  return { kind, channel: a.channel, schema: a.configSchema };
});

/** The values of a config's write-only fields, flattened to the strings a read must not contain. */
function secretStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(secretStrings);
  return [];
}

describe('typed provider configuration through the API', () => {
  let stack: TestStack;
  const put = (id: string, body: unknown) => stack.request('PUT', `/v1/providers/${id}`, body);

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
    await registry.close();
  });

  it('a web push config with the wrong field names is refused at PUT with a 422 naming each field', async () => {
    const r = await put('browser-push', { channel: 'push', kind: 'webpush', config: { subject: 'mailto:ops@example.com', publicKey: VAPID_PUBLIC, privateKey: VAPID_PRIVATE } });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_provider_config');
    expect(r.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'config.vapidSubject', message: 'required' },
        { path: 'config.vapidPublicKey', message: 'required' },
        { path: 'config.vapidPrivateKey', message: 'required' },
        { path: 'config.subject', message: 'unknown field' },
        { path: 'config.publicKey', message: 'unknown field' },
        { path: 'config.privateKey', message: 'unknown field' },
      ]),
    );
    expect(r.body.error.details).toHaveLength(6);
    expect(r.body.error.message).toContain('config.vapidSubject: required');
    expect(r.body.error.message).toContain('config.subject: unknown field');
    // The value of a refused secret is not echoed.
    expect(JSON.stringify(r.body)).not.toContain(VAPID_PRIVATE);
    expect((await stack.request('GET', '/v1/providers/browser-push')).status).toBe(404);
  });

  it('every kind refuses an unknown field and names each required one it lacks', async () => {
    for (const k of KINDS) {
      const r = await put(`bad-${k.kind}`, { channel: k.channel, kind: k.kind, config: { foo: 1 } });
      expect(r.status, k.kind).toBe(422);
      const details = r.body.error.details as { path: string; message: string }[];
      expect(details, k.kind).toContainEqual({ path: 'config.foo', message: 'unknown field' });
      const required = Object.entries(k.schema.shape)
        .filter(([, f]) => !(f as { safeParse(v: unknown): { success: boolean } }).safeParse(undefined).success)
        .map(([key]) => key);
      expect(required.length, `${k.kind} requires something`).toBeGreaterThan(0);
      for (const key of required) expect(details, `${k.kind}.${key}`).toContainEqual({ path: `config.${key}`, message: 'required' });
    }
  });

  it('an invalid value is named with what was expected, nested fields by their path', async () => {
    const r = await put('mail', { channel: 'email', kind: 'smtp', config: { host: 'smtp.example.com', port: 'twenty-five', auth: { user: 'u' }, from: 'a@example.com' } });
    expect(r.status).toBe(422);
    expect(r.body.error.details).toEqual([
      { path: 'config.port', message: expect.stringContaining('expected number') },
      { path: 'config.auth.pass', message: 'required' },
    ]);
    const twilio = await put('sms', { channel: 'sms', kind: 'twilio', config: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 't', apiBaseUrl: 'ftp://files.example.com' } });
    expect(twilio.status).toBe(422);
    expect(twilio.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'config.apiBaseUrl', message: 'an http(s) URL' },
        { path: 'config.from', message: 'give from or messagingServiceSid' },
      ]),
    );
    // The kind decides the channel.
    expect((await put('sms', { channel: 'email', kind: 'twilio', config: EXAMPLES.twilio })).body.error.code).toBe('kind_channel_mismatch');
    expect((await put('sms', { channel: 'sms', kind: 'carrier-pigeon', config: {} })).body.error.code).toBe('unknown_provider_kind');
  });

  it('every kind accepts a realistic config, and no read returns a write-only field', async () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(KINDS.map((k) => k.kind).sort());
    for (const k of KINDS) {
      const r = await put(`ok-${k.kind}`, { channel: k.channel, kind: k.kind, config: EXAMPLES[k.kind], enabled: false });
      expect(r.status, `${k.kind}: ${JSON.stringify(r.body)}`).toBe(201);
    }
    const list = JSON.stringify((await stack.request('GET', '/v1/providers')).body);
    for (const k of KINDS) {
      const secrets = secretFields(k.schema);
      expect(secrets.length, `${k.kind} declares its secrets`).toBeGreaterThan(0);
      const one = (await stack.request('GET', `/v1/providers/ok-${k.kind}`)).body;
      for (const key of secrets) {
        const value = EXAMPLES[k.kind]![key];
        if (value === undefined) continue;
        for (const s of secretStrings(value)) {
          expect(list, `${k.kind}.${key}`).not.toContain(s);
          expect(JSON.stringify(one), `${k.kind}.${key}`).not.toContain(s);
        }
        expect(one.config[key], `${k.kind}.${key}`).toMatch(/^\[redacted\]$|^https?:\/\/[^/]+(\/…)?$/);
      }
    }
  });

  it('PATCH keeps the secrets it does not name, and the result must still satisfy the schema', async () => {
    const id = 'ok-webpush';
    const patched = await stack.request('PATCH', `/v1/providers/${id}`, { config: { defaultTtlSeconds: 3600 } });
    expect(patched.status).toBe(200);
    expect(patched.body.config).toMatchObject({ vapidSubject: 'mailto:ops@example.com', vapidPrivateKey: '[redacted]', defaultTtlSeconds: 3600 });
    const stored = JSON.parse(createSecretBox(stack.config.secretKey ?? '').open((await findProvider(stack.db, 'default', id))!.config_sealed));
    expect(stored).toEqual({ ...EXAMPLES.webpush, defaultTtlSeconds: 3600 });

    const removed = await stack.request('PATCH', `/v1/providers/${id}`, { config: { vapidPrivateKey: null, vapidKey: 'x' } });
    expect(removed.status).toBe(422);
    expect(removed.body.error.details).toEqual([
      { path: 'config.vapidPrivateKey', message: 'required' },
      { path: 'config.vapidKey', message: 'unknown field' },
    ]);
    // PUT replaces the whole config: a secret left out is gone, so the schema refuses it.
    const replaced = await put(id, { channel: 'push', kind: 'webpush', config: { vapidSubject: 'mailto:ops@example.com', vapidPublicKey: VAPID_PUBLIC } });
    expect(replaced.status).toBe(422);
    expect(replaced.body.error.details).toEqual([{ path: 'config.vapidPrivateKey', message: 'required' }]);
  });

  it('/openapi.json describes PUT’s body as one variant per kind, each with its config schema', async () => {
    const doc = (await stack.request('GET', '/openapi.json', undefined, { key: null })).body;
    const schemas = doc.components.schemas;
    const body = doc.paths['/v1/providers/{id}'].put.requestBody.content['application/json'].schema;
    expect(body).toEqual({ $ref: '#/components/schemas/ProviderRequest' });
    const variants = (schemas.ProviderRequest.oneOf as { $ref: string }[]).map((v) => v.$ref.replace('#/components/schemas/', ''));
    expect(variants).toHaveLength(KINDS.length);
    for (const name of variants) {
      const v = schemas[name];
      const kind = v.properties.kind.enum[0] as string;
      const k = KINDS.find((x) => x.kind === kind)!;
      expect(v.properties.channel.enum, kind).toEqual([k.channel]);
      const config = schemas[v.properties.config.$ref.replace('#/components/schemas/', '')];
      expect(config.additionalProperties, kind).toBe(false);
      expect(Object.keys(config.properties).sort(), kind).toEqual(Object.keys(k.schema.shape).sort());
      for (const s of secretFields(k.schema)) expect(config.properties[s].writeOnly, `${kind}.${s}`).toBe(true);
    }
    expect(schemas.WebpushConfig.required).toEqual(['vapidSubject', 'vapidPublicKey', 'vapidPrivateKey']);
    expect(schemas.ProviderRequest.discriminator.propertyName).toBe('kind');
    // What the schema accepts is what the API accepts.
    expect(configProblems(KINDS.find((k) => k.kind === 'webpush')!.schema, EXAMPLES.webpush)).toEqual([]);
  });
});
