import { Context } from '@temporalio/activity';
import type { Heartbeat } from '../domain/heartbeat.js';

/** The running activity's heartbeat, for the domain steps that report progress. */
export const activityHeartbeat: Heartbeat = (progress) => Context.current().heartbeat(progress);
