// instance_actions / instance_actions_events / instance_faults (nova/objects/instance_action.py, instance_fault.py).
import type { Db } from './db.js';
import { prepared } from './statement-cache.js';

export interface InstanceAction {
  id: number;
  action: string;
  instance_uuid: string;
  request_id: string;
  user_id: string | null;
  project_id: string | null;
  start_time: string;
  finish_time: string | null;
  message: string | null;
  updated_at: string | null;
}

export interface InstanceActionEvent {
  id: number;
  action_id: number;
  event: string;
  start_time: string;
  finish_time: string | null;
  result: string | null;
  traceback: string | null;
  host: string | null;
  details: string | null;
}

export interface InstanceFault {
  id: number;
  instance_uuid: string;
  code: number;
  message: string;
  details: string;
  host: string | null;
  created_at: string;
}

export class ActionStore {
  private insAction;
  private byRequest;
  private forInstance;
  private insEvent;
  private eventsFor;
  private finishEvent;
  private touchAction;
  private insFault;
  private latestFault;

  constructor(private readonly db: Db) {
    this.insAction = prepared(db,
      `INSERT INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time, updated_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byRequest = prepared(db, 'SELECT * FROM instance_actions WHERE instance_uuid = ? AND request_id = ? ORDER BY id DESC LIMIT 1');
    this.forInstance = prepared(db, 'SELECT * FROM instance_actions WHERE instance_uuid = ? ORDER BY created_at DESC, id DESC');
    this.insEvent = prepared(db, 'INSERT INTO instance_actions_events (action_id, event, start_time, host) VALUES (?, ?, ?, ?)');
    this.eventsFor = prepared(db, 'SELECT * FROM instance_actions_events WHERE action_id = ? ORDER BY start_time DESC, id DESC');
    this.finishEvent = prepared(db,
      'UPDATE instance_actions_events SET finish_time = ?, result = ?, traceback = ?, details = ? WHERE id = ?',
    );
    this.touchAction = prepared(db, 'UPDATE instance_actions SET updated_at = ?, message = COALESCE(?, message) WHERE id = ?');
    this.insFault = prepared(db, 'INSERT INTO instance_faults (instance_uuid, code, message, details, host, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.latestFault = prepared(db, 'SELECT * FROM instance_faults WHERE instance_uuid = ? ORDER BY id DESC LIMIT 1');
  }

  /** InstanceAction.action_start. */
  start(a: { action: string; instanceUuid: string; requestId: string; userId: string; projectId: string; at: Date }): number {
    const t = a.at.toISOString();
    return Number(this.insAction.run(a.action, a.instanceUuid, a.requestId, a.userId, a.projectId, t, t, t).lastInsertRowid);
  }

  get(instanceUuid: string, requestId: string): InstanceAction | null {
    return (this.byRequest.get(instanceUuid, requestId) as InstanceAction | undefined) ?? null;
  }

  list(instanceUuid: string): InstanceAction[] {
    return this.forInstance.all(instanceUuid) as InstanceAction[];
  }

  /** InstanceActionEvent.event_start. */
  eventStart(actionId: number, event: string, host: string | null, at: Date): number {
    return Number(this.insEvent.run(actionId, event, at.toISOString(), host).lastInsertRowid);
  }

  /** event_finish_with_failure: result Success/Error, and on error the action message becomes "Error". */
  eventFinish(eventId: number, actionId: number, at: Date, failure: { details: string; traceback: string } | null): void {
    const t = at.toISOString();
    this.finishEvent.run(t, failure ? 'Error' : 'Success', failure?.traceback ?? null, failure?.details ?? null, eventId);
    this.touchAction.run(t, failure ? 'Error' : null, actionId);
  }

  events(actionId: number): InstanceActionEvent[] {
    return this.eventsFor.all(actionId) as InstanceActionEvent[];
  }

  addFault(f: { instanceUuid: string; code: number; message: string; details: string; host: string | null; at: Date }): void {
    this.insFault.run(f.instanceUuid, f.code, f.message.slice(0, 255), f.details, f.host, f.at.toISOString());
  }

  /** InstanceAction.finish(): an action that has no events (os-resetState). */
  finish(actionId: number, at: Date): void {
    const t = at.toISOString();
    prepared(this.db, 'UPDATE instance_actions SET finish_time = ?, updated_at = ? WHERE id = ?').run(t, t, actionId);
  }

  latestFaultFor(instanceUuid: string): InstanceFault | null {
    return (this.latestFault.get(instanceUuid) as InstanceFault | undefined) ?? null;
  }
}
