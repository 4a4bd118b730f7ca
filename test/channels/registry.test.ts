import { describe, expect, it } from 'vitest';
import { createChannelRegistry } from '../../channels/registry.js';
import { CHANNELS } from '../../channels/types.js';

describe('channel registry', () => {
  it('lists every adapter once, each declaring its limits as data', async () => {
    const registry = createChannelRegistry();
    expect(registry.kinds().sort()).toEqual(
      [
        'aliyun-sms',
        'apns',
        'dingtalk-robot',
        'dingtalk-work-notice',
        'discord',
        'fcm',
        'feishu-app',
        'feishu-bot',
        'generic-http-sms',
        'huawei-push',
        'jpush',
        'ses',
        'slack',
        'slack-bot',
        'smtp',
        'sns',
        'teams',
        'telegram',
        'tencent-sms',
        'twilio',
        'webhook',
        'webpush',
        'wechat-template',
        'wecom-app',
        'wecom-robot',
        'xiaomi-push',
      ].sort(),
    );
    for (const kind of registry.kinds()) {
      const a = registry.get(kind)!;
      expect(a.kind).toBe(kind);
      expect(CHANNELS).toContain(a.channel);
      expect(typeof a.limits.supportsRecall).toBe('boolean');
      expect(typeof a.limits.supportsReceipts).toBe('boolean');
      // Recall is offered exactly where the adapter can do it.
      expect(typeof a.recall === 'function', kind).toBe(a.limits.supportsRecall);
      // Each declared length names a field the adapter measures, in a known unit.
      expect(typeof a.measure, kind).toBe('function');
      for (const l of a.limits.lengths) {
        expect(['bytes', 'chars', 'utf16', 'sms-segments'], kind).toContain(l.unit);
        expect(Number.isSafeInteger(l.max) && l.max > 0, kind).toBe(true);
      }
    }
    // Only the template-only SMS kinds measure nothing that Herald renders.
    expect(registry.kinds().filter((k) => registry.get(k)!.limits.lengths.length === 0).sort()).toEqual(['aliyun-sms', 'tencent-sms']);
    expect(registry.kinds().filter((k) => registry.get(k)!.limits.supportsRecall).sort()).toEqual(['dingtalk-work-notice', 'feishu-app', 'slack-bot', 'wecom-app']);
    expect(registry.get('twilio')!.limits.supportsReceipts).toBe(true);
    await registry.close();
  });
});
