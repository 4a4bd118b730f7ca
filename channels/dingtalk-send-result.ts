// What DingTalk knows of one work notice for one member: `POST
// /topapi/message/corpconversation/getsendresult?access_token=` with `{agent_id, task_id}` (the
// task_id asyncsend_v2 answered) answers `send_result` with userid lists: read_user_id_list,
// unread_user_id_list (delivered, not read yet), failed_user_id_list, invalid_user_id_list
// (not a member), forbidden_user_id_list (held back by DingTalk's limits: the same content
// twice a day, too many a day). A member in none of them is still being sent to.
import { z } from 'zod';
import { agentIdOf, type DingtalkCaller, type DingtalkWorkNoticeConfig } from './dingtalk-work-notice.js';
import { DeliveryError, DeliveryErrorType } from './errors.js';

export type WorkNoticeState = { state: 'read' | 'unread' | 'pending' } | { state: 'failed'; code: string; reason: string };

const Ids = z.array(z.union([z.string(), z.number()]).transform(String)).nullish();
const SendResult = z.looseObject({
  read_user_id_list: Ids,
  unread_user_id_list: Ids,
  failed_user_id_list: Ids,
  invalid_user_id_list: Ids,
  forbidden_user_id_list: Ids,
});

const FAILURES = [
  ['failed_user_id_list', 'dingtalk getsendresult: the work notice failed for the member'],
  ['invalid_user_id_list', 'dingtalk getsendresult: not a valid userid of the organisation'],
  ['forbidden_user_id_list', 'dingtalk getsendresult: held back by DingTalk’s sending limits (the same content twice a day, or too many a day)'],
] as const;

/** The state of the notice for `userid`. */
export async function workNoticeState(caller: DingtalkCaller, config: DingtalkWorkNoticeConfig, taskId: string, userid: string): Promise<WorkNoticeState> {
  if (!/^\d{1,18}$/.test(taskId) || !Number.isSafeInteger(Number(taskId))) {
    throw new DeliveryError(DeliveryErrorType.Rejected, `dingtalk getsendresult: ${taskId} is not a work-notice task id`, { code: 'EBADID' });
  }
  const answer = await caller.call(config, 'getsendresult', '/topapi/message/corpconversation/getsendresult', { agent_id: agentIdOf(config), task_id: Number(taskId) });
  const parsed = SendResult.safeParse(answer.send_result ?? {});
  if (!parsed.success) throw new DeliveryError(DeliveryErrorType.Unavailable, 'dingtalk getsendresult: send_result is not the documented shape', { code: 'EBADANSWER' });
  const r = parsed.data;
  if (r.read_user_id_list?.includes(userid)) return { state: 'read' };
  for (const [list, reason] of FAILURES) if (r[list]?.includes(userid)) return { state: 'failed', code: list, reason };
  if (r.unread_user_id_list?.includes(userid)) return { state: 'unread' };
  return { state: 'pending' };
}
