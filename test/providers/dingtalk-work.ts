// DingTalk corp internal app, work notices (open.dingtalk.com, "obtain the access_token of an
// internal app", "send work notifications", "recall work notifications"):
//   GET  /gettoken?appkey&appsecret → {errcode:0, access_token, expires_in:7200}
//   POST /topapi/message/corpconversation/asyncsend_v2?access_token= {agent_id, userid_list, msg} → {errcode:0, task_id}
//   POST /topapi/message/corpconversation/recall?access_token= {agent_id, msg_task_id} → {errcode:0}
//   POST /topapi/message/corpconversation/getsendresult?access_token= {agent_id, task_id} → {errcode:0,
//     send_result: {read_user_id_list, unread_user_id_list, failed_user_id_list, invalid_user_id_list,
//     forbidden_user_id_list, invalid_dept_id_list, forbidden_list}}
// Always HTTP 200 with errcode; 40014 an unknown token, 42001 an expired one; msg ≤ 2048 bytes.
import { randomBytes, randomInt } from 'node:crypto';
import { header, type Handler } from './receiver.js';

export interface DingtalkWorkOptions {
  appKey: string;
  appSecret: string;
  agentId: number;
  /** Userids that are not members: getsendresult lists them in invalid_user_id_list. */
  invalidUsers?: string[];
}

export interface DingtalkNotice {
  taskId: number;
  userids: string[];
  msg: { msgtype: string; markdown: { title: string; text: string } };
  recalled: boolean;
  /** Members who opened it (getsendresult's read_user_id_list); the others are unread. */
  read: string[];
}

export interface DingtalkWorkApi extends Handler {
  notices: DingtalkNotice[];
  recalls: { agentId: number; taskId: number }[];
  tokensIssued: number;
  /** Every token issued so far becomes expired (DingTalk then answers 42001). */
  expireTokens(): void;
  /** The member opens the notice. */
  markRead(taskId: number, userid: string): void;
  /** Task ids asked about with getsendresult, in order. */
  resultQueries: number[];
}

export function dingtalkWorkApi(opts: DingtalkWorkOptions): DingtalkWorkApi {
  const live = new Set<string>();
  const expired = new Set<string>();
  const api = ((req) => {
    const url = new URL(req.url, 'http://x');
    const ok = (extra: object) => ({ status: 200, body: { errcode: 0, errmsg: 'ok', request_id: randomBytes(6).toString('hex'), ...extra } });
    const err = (errcode: number, errmsg: string) => ({ status: 200, body: { errcode, errmsg, request_id: randomBytes(6).toString('hex') } });
    if (req.method === 'GET' && url.pathname === '/gettoken') {
      if (url.searchParams.get('appkey') !== opts.appKey || url.searchParams.get('appsecret') !== opts.appSecret) return err(40089, '不合法的corpid或corpsecret');
      const token = randomBytes(16).toString('hex');
      live.add(token);
      api.tokensIssued += 1;
      return ok({ access_token: token, expires_in: 7200 });
    }
    if (req.method !== 'POST') return { status: 404, body: 'not found' };
    const token = url.searchParams.get('access_token') ?? '';
    if (expired.has(token)) return err(42001, 'access_token超时');
    if (!live.has(token)) return err(40014, '不合法的access_token');
    if (!/^application\/json/.test(header(req, 'content-type') ?? '')) return err(40035, '缺少参数 content-type');
    const body = JSON.parse(req.body) as Record<string, any>;
    if (body.agent_id !== opts.agentId) return err(40056, '不合法的agentid');
    if (url.pathname === '/topapi/message/corpconversation/asyncsend_v2') {
      const userids = typeof body.userid_list === 'string' ? body.userid_list.split(',').filter(Boolean) : [];
      if (userids.length === 0 || userids.length > 5000) return err(40035, '缺少参数 userid_list');
      const msg = body.msg as DingtalkNotice['msg'] | undefined;
      if (msg?.msgtype !== 'markdown' || typeof msg.markdown?.title !== 'string' || typeof msg.markdown.text !== 'string' || !msg.markdown.text) return err(40035, '缺少参数 msg');
      if (Buffer.byteLength(JSON.stringify(msg)) > 2048) return err(40035, 'msg 超过 2048 字节');
      const taskId = randomInt(100_000_000_000, 999_999_999_999);
      api.notices.push({ taskId, userids, msg, recalled: false, read: [] });
      return ok({ task_id: taskId });
    }
    if (url.pathname === '/topapi/message/corpconversation/recall') {
      if (typeof body.msg_task_id !== 'number') return err(40035, '缺少参数 msg_task_id');
      api.recalls.push({ agentId: body.agent_id as number, taskId: body.msg_task_id });
      const notice = api.notices.find((n) => n.taskId === body.msg_task_id);
      if (!notice) return err(400002, '无效的 msg_task_id');
      notice.recalled = true;
      return ok({});
    }
    if (url.pathname === '/topapi/message/corpconversation/getsendresult') {
      if (typeof body.task_id !== 'number') return err(40035, '缺少参数 task_id');
      api.resultQueries.push(body.task_id);
      const notice = api.notices.find((n) => n.taskId === body.task_id);
      if (!notice) return err(400002, '无效的 task_id');
      const invalid = notice.userids.filter((u) => opts.invalidUsers?.includes(u));
      const members = notice.userids.filter((u) => !invalid.includes(u));
      return ok({
        send_result: {
          read_user_id_list: members.filter((u) => notice.read.includes(u)),
          unread_user_id_list: members.filter((u) => !notice.read.includes(u)),
          invalid_user_id_list: invalid,
          failed_user_id_list: [],
          forbidden_user_id_list: [],
          invalid_dept_id_list: [],
          forbidden_list: [],
        },
      });
    }
    return err(404, '请求的URI地址不存在');
  }) as DingtalkWorkApi;
  api.notices = [];
  api.recalls = [];
  api.tokensIssued = 0;
  api.resultQueries = [];
  api.markRead = (taskId, userid) => {
    api.notices.find((n) => n.taskId === taskId)?.read.push(userid);
  };
  api.expireTokens = () => {
    for (const t of live) expired.add(t);
    live.clear();
  };
  return api;
}
