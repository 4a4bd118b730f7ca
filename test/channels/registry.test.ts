import { describe, expect, it } from 'vitest';
import { createChannelRegistry } from '../../channels/registry.js';
import { CHANNELS } from '../../common/statuses.js';

describe('channel registry', () => {
  it('lists every adapter once, each declaring its limits as data', async () => {
    const registry = createChannelRegistry();
    expect(registry.kinds().sort()).toEqual(
      ['aliyun-sms', 'apns', 'dingtalk-robot', 'discord', 'fcm', 'feishu-bot', 'generic-http-sms', 'slack', 'smtp', 'teams', 'telegram', 'tencent-sms', 'twilio', 'webhook', 'webpush', 'wecom-robot'].sort(),
    );
    for (const kind of registry.kinds()) {
      const a = registry.get(kind)!;
      expect(a.kind).toBe(kind);
      expect(CHANNELS).toContain(a.channel);
      expect(typeof a.limits.supportsRecall).toBe('boolean');
      expect(typeof a.limits.supportsReceipts).toBe('boolean');
    }
    expect(registry.get('twilio')!.limits.supportsReceipts).toBe(true);
    await registry.close();
  });
});
