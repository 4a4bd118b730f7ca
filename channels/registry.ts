// The explicit list of adapters. Adding a provider means adding a file and a line here.
import { createAliyunSmsAdapter } from './aliyun-sms.js';
import { createApnsAdapter } from './apns.js';
import { createDingtalkRobotAdapter } from './dingtalk-robot.js';
import { createDingtalkWorkNoticeAdapter } from './dingtalk-work-notice.js';
import { createDiscordAdapter } from './discord.js';
import { createFcmAdapter } from './fcm.js';
import { createFeishuAppAdapter } from './feishu-app.js';
import { createFeishuBotAdapter } from './feishu-bot.js';
import { createGenericHttpSmsAdapter } from './generic-http-sms.js';
import { createHuaweiPushAdapter } from './huawei-push.js';
import { createJpushAdapter } from './jpush.js';
import { createSesAdapter } from './ses.js';
import { createSlackAdapter } from './slack.js';
import { createSlackBotAdapter } from './slack-bot.js';
import { createSmtpAdapter } from './smtp.js';
import { createSmtpSender } from './smtp-threads.js';
import { createSnsAdapter } from './sns.js';
import { createTeamsAdapter } from './teams.js';
import { createTelegramAdapter } from './telegram.js';
import { createTencentSmsAdapter } from './tencent-sms.js';
import { createTwilioAdapter } from './twilio.js';
import type { ChannelAdapter } from './types.js';
import { createWebhookAdapter } from './webhook.js';
import { createWebPushAdapter } from './webpush.js';
import { createWecomAppAdapter } from './wecom-app.js';
import { createWechatTemplateAdapter } from './wechat-template.js';
import { createWecomRobotAdapter } from './wecom-robot.js';
import { createXiaomiPushAdapter } from './xiaomi-push.js';

export interface ChannelRegistry {
  get(kind: string): ChannelAdapter | undefined;
  kinds(): string[];
  close(): Promise<void>;
}

/** `smtpThreads`: where SMTP mail is sent (smtp-threads.ts); the event loop unless given. */
export function createChannelRegistry(o: { smtpThreads?: number } = {}): ChannelRegistry {
  const adapters = new Map<string, ChannelAdapter>();
  const all = [
    createSmtpAdapter(createSmtpSender(o.smtpThreads ?? 0)),
    createWebhookAdapter(),
    createSlackAdapter(),
    createDiscordAdapter(),
    createTeamsAdapter(),
    createTelegramAdapter(),
    createDingtalkRobotAdapter(),
    createWecomRobotAdapter(),
    createFeishuBotAdapter(),
    createTwilioAdapter(),
    createAliyunSmsAdapter(),
    createTencentSmsAdapter(),
    createGenericHttpSmsAdapter(),
    createWebPushAdapter(),
    createFcmAdapter(),
    createApnsAdapter(),
    createSesAdapter(),
    createSnsAdapter(),
    createDingtalkWorkNoticeAdapter(),
    createWecomAppAdapter(),
    createSlackBotAdapter(),
    createFeishuAppAdapter(),
    createJpushAdapter(),
    createWechatTemplateAdapter(),
    createHuaweiPushAdapter(),
    createXiaomiPushAdapter(),
  ] as ChannelAdapter[];
  for (const a of all) {
    if (adapters.has(a.kind)) throw new Error(`two channel adapters claim kind ${a.kind}`);
    adapters.set(a.kind, a);
  }
  return {
    get: (kind) => adapters.get(kind),
    kinds: () => [...adapters.keys()],
    async close() {
      await Promise.all([...adapters.values()].map((a) => a.close()));
    },
  };
}
