// Property-based tests (fast-check) for the pure cores: template rendering, SMS segment
// counting and the per-user policy decision.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureSms, SMS_LIMITS } from '../../channels/limits.js';
import { categoryPolicy, decideUser, type PolicyContext, type UserPolicyData } from '../../domain/audience/policy.js';
import { createRenderer, RenderError } from '../../domain/templates/render.js';
import type { Channel } from '../../channels/types.js';
import type { UserRow } from '../../schema/tables/users.js';

const GSM_BASIC = [...'@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'];
const GSM_EXT = [...'^{}\\[~]|€'];
const gsmText = fc.array(fc.constantFrom(...GSM_BASIC, ...GSM_EXT), { maxLength: 1200 }).map((a) => a.join(''));
const anyText = fc.string({ unit: 'grapheme', maxLength: 600 });

describe('SMS segment counting', () => {
  it('counts 0 segments only for the empty text, 1 when it fits a single part', () => {
    fc.assert(
      fc.property(fc.oneof(gsmText, anyText), (t) => {
        const m = measureSms(t);
        if (t.length === 0) return m.segments === 0;
        const single = m.encoding === 'GSM-7' ? SMS_LIMITS.gsm7.single : SMS_LIMITS.ucs2.single;
        return m.units <= single ? m.segments === 1 : m.segments >= 2;
      }),
    );
  });

  it('never needs fewer parts than the units allow, nor more than one part per split character', () => {
    fc.assert(
      fc.property(fc.oneof(gsmText, anyText), (t) => {
        const m = measureSms(t);
        if (m.segments < 2) return true;
        const per = m.encoding === 'GSM-7' ? SMS_LIMITS.gsm7.multipart : SMS_LIMITS.ucs2.multipart;
        // A part may end one unit short (an escape pair or surrogate pair is never split).
        return m.segments >= Math.ceil(m.units / per) && m.segments <= Math.ceil(m.units / (per - 1));
      }),
    );
  });

  it('is exactly ceil(n/153) for basic GSM text over 160 characters, and UCS-2 as soon as one non-GSM character appears', () => {
    fc.assert(
      fc.property(fc.integer({ min: 161, max: 2000 }), fc.constantFrom('中', '😀', 'ж', 'ő'), (n, odd) => {
        const plain = measureSms('a'.repeat(n));
        const mixed = measureSms(`${'a'.repeat(n)}${odd}`);
        return plain.encoding === 'GSM-7' && plain.segments === Math.ceil(n / 153) && mixed.encoding === 'UCS-2';
      }),
    );
  });

  it('never decreases when text is appended', () => {
    fc.assert(fc.property(gsmText, gsmText, (a, b) => measureSms(a + b).segments >= measureSms(a).segments));
    fc.assert(fc.property(anyText, anyText, (a, b) => measureSms(a + b).units >= measureSms(a).units));
  });
});

describe('template rendering', () => {
  const renderer = createRenderer();

  it('puts text variables into SMS text verbatim', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (v) => {
        const out = renderer.render({ sms: { text: 'Code: {{v}}.' } }, 'sms', { data: { v } });
        return out.text === `Code: ${v}.`;
      }),
    );
  });

  it('escapes every variable in email html, so no data can open a tag', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (v) => {
        const out = renderer.render({ email: { subject: 'S', html: '<p>{{v}}</p>' } }, 'email', { data: { v } });
        const inner = (out.html ?? '').replace(/^[\s\S]*?<p>/, '').replace(/<\/p>[\s\S]*$/, '');
        return !/[<>"]/.test(inner);
      }),
    );
  });

  it('either compiles a template source or throws a RenderError, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.array(fc.constantFrom('{{', '}}', '#if', '/if', '#each', '/each', 'x', ' ', 'else', '>', '!', '{{{', '}}}'), { maxLength: 20 }).map((a) => a.join(''))), (src) => {
        try {
          renderer.check(src, 'fuzz');
          return true;
        } catch (err) {
          return err instanceof RenderError;
        }
      }),
    );
  });
});

describe('policy engine (decideUser)', () => {
  const CHANNELS: Channel[] = ['email', 'sms', 'push', 'chat', 'inapp', 'webhook'];
  const user = fc.record({
    active: fc.boolean(),
    email: fc.option(fc.oneof(fc.emailAddress(), fc.string({ maxLength: 20 })), { nil: null }),
    phone: fc.option(fc.oneof(fc.constantFrom('+14155550100', '+8613800138000'), fc.string({ maxLength: 16 })), { nil: null }),
    timezone: fc.option(fc.constantFrom('UTC', 'Asia/Shanghai', 'America/New_York', 'Not/AZone'), { nil: null }),
    webhook: fc.option(fc.constantFrom('https://example.com/hook', 'not a url'), { nil: undefined }),
  });
  const data = fc.option(
    fc.record({
      unsubscribed: fc.boolean(),
      prefs: fc.array(fc.tuple(fc.constantFrom('*', ...CHANNELS), fc.boolean()), { maxLength: 4 }).map((e) => new Map(e)),
      quietHours: fc.option(fc.record({ start: fc.constantFrom('00:00', '08:00', '22:00'), end: fc.constantFrom('07:00', '23:59', '06:00') }), { nil: null }),
    }),
    { nil: undefined },
  );
  const ctxArb = fc.record({
    priority: fc.constantFrom('low', 'medium', 'high'),
    category: fc.constantFrom('general', 'marketing', 'security'),
    channels: fc.uniqueArray(fc.constantFrom(...CHANNELS), { minLength: 1, maxLength: 6 }),
    templateChannels: fc.uniqueArray(fc.constantFrom(...CHANNELS), { maxLength: 6 }),
    now: fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
  });

  const build = (c: { priority: string; category: string; channels: Channel[]; templateChannels: Channel[]; now: Date }): PolicyContext => ({
    now: c.now,
    priority: c.priority,
    category: categoryPolicy(c.category, undefined),
    tenantTimezone: 'UTC',
    channels: c.channels,
    templateChannels: new Set(c.templateChannels),
    providerKinds: new Map(),
  });
  const row = (u: { active: boolean; email: string | null; phone: string | null; timezone: string | null; webhook: string | undefined }): UserRow =>
    ({ tenant_id: 't', id: 'u', name: null, locale: null, attributes: {}, source: 'api', external_id: null, user_name: null, deactivated_reason: null, directory_data: {}, created_at: new Date(), updated_at: new Date(), ...u, identities: u.webhook ? { webhook: u.webhook } : {} }) as unknown as UserRow;
  const policyData = (d: { unsubscribed: boolean; prefs: Map<string, boolean>; quietHours: { start: string; end: string } | null } | undefined): UserPolicyData | undefined => (d ? { ...d, caps: [] } : undefined);

  it('decides every requested channel once, in order, and never defers high priority or sends to an inactive user', () => {
    fc.assert(
      fc.property(ctxArb, user, data, (c, u, d) => {
        const ctx = build(c as never);
        const out = decideUser(ctx, row(u), policyData(d));
        expect(out.map((x) => x.channel)).toEqual(c.channels);
        for (const x of out) {
          if (!u.active) expect(x).toMatchObject({ status: 'suppressed', reason: 'user_inactive' });
          if (x.status === 'pending' && x.notBefore) {
            expect(c.priority).not.toBe('high');
            expect(x.notBefore.getTime()).toBeGreaterThan(c.now.getTime());
          }
          if (x.status === 'pending') expect(c.templateChannels).toContain(x.channel);
          if (x.status === 'pending' && x.channel === 'email') expect(u.email).toMatch(/^[^\s@]+@[^\s@]+\.[^\s@]+$/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lets no opt-out stop a mandatory category, and every opt-out stop the others', () => {
    fc.assert(
      fc.property(ctxArb, user, (c, u) => {
        const ctx = build(c as never);
        const optedOut: UserPolicyData = { unsubscribed: true, prefs: new Map([['*', false]]), quietHours: null, caps: [] };
        for (const x of decideUser(ctx, row(u), optedOut)) {
          if (ctx.category.mandatory) expect(['unsubscribed', 'preference_off']).not.toContain(x.status === 'suppressed' ? x.reason : '');
          else expect(x.status).toBe('suppressed');
        }
      }),
      { numRuns: 300 },
    );
  });
});
