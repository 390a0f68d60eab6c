// Server groups (nova/objects/instance_group.py + the os-server-groups controller's checks):
// create/delete with quota and notifications, membership at boot, and the read API the
// scheduler uses to honour a group's policy.
import type { Instance, RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import type { ServerGroup, ServerGroupPolicy, ServerGroupStore } from '../store/server-groups.js';
import { ComputeException } from './exceptions.js';
import type { ComputeNotifier } from './notifier-port.js';
import type { QuotaEngine } from './quotas.js';

export const instanceGroupNotFound = (uuid: string) =>
  new ComputeException('InstanceGroupNotFound', `Instance group ${uuid} could not be found.`, { novaException: true, code: 404 });

/** What the scheduler needs to place an instance of a group (ServerGroupAffinityFilter & co). */
export interface GroupPlacement {
  uuid: string;
  policy: ServerGroupPolicy;
  /** {"max_server_per_host": n} for anti-affinity at 2.64+, else {}. */
  rules: Record<string, number>;
  /** The other live members and where they run (host null while unscheduled). */
  members: { uuid: string; host: string | null; node: string | null }[];
  /** Distinct hosts of the live members (InstanceGroup.get_hosts). */
  hosts: string[];
}

export class ServerGroupApi {
  constructor(
    private s: Services,
    readonly store: ServerGroupStore,
    private quotas: QuotaEngine,
    private notifier: ComputeNotifier,
  ) {}

  create(ctx: RequestContext, g: { name: string; policy: ServerGroupPolicy; rules: Record<string, number> }): ServerGroup {
    this.quotas.checkServerGroups(ctx);
    const group = this.s.db.transaction(() => {
      // CONF.quota.recheck_quota: counted again inside the write.
      this.quotas.checkServerGroups(ctx);
      return this.store.insert({
        uuid: this.s.runtime.uuid(), name: g.name, project_id: ctx.projectId, user_id: ctx.userId, policy: g.policy, rules: g.rules,
        created_at: this.s.runtime.now().toISOString(),
      });
    })();
    this.notifier.notifyAboutServerGroupAction(ctx, group, 'create');
    return group;
  }

  get(uuid: string): ServerGroup {
    const g = this.store.get(uuid);
    if (!g) throw instanceGroupNotFound(uuid);
    return g;
  }

  /** InstanceGroup.destroy: the notification carries the members as stored. */
  delete(ctx: RequestContext, group: ServerGroup): void {
    this.s.db.transaction(() => this.store.destroy(group.id))();
    this.notifier.notifyAboutServerGroupAction(ctx, group, 'delete');
  }

  list(projectId: string | null): ServerGroup[] {
    return this.store.list(projectId);
  }

  /** _get_not_deleted: members whose instance still exists (deleted ones stay in the table, as in Nova). */
  liveMembers(group: ServerGroup): string[] {
    return group.members.filter((u) => this.s.instances.get(u) !== null);
  }

  /**
   * _provision_instances, per instance: server_group_members quota, then add_members (inside the
   * boot's transaction). Returns the group as it is after the add, for the add_member notification.
   */
  addMemberAtBoot(ctx: RequestContext, group: ServerGroup, instanceUuid: string): ServerGroup {
    this.quotas.checkGroupMembers(ctx, group);
    this.store.addMembers(group.id, [instanceUuid]);
    return { ...group, members: [...group.members, instanceUuid] };
  }

  notifyAddMember(ctx: RequestContext, group: ServerGroup): void {
    this.notifier.notifyAboutServerGroupAction(ctx, group, 'add_member');
  }

  /** The scheduler's view of an instance's group: policy, rules and where the other live members run. */
  forInstance(instanceUuid: string): GroupPlacement | null {
    const g = this.store.forInstance(instanceUuid);
    if (!g) return null;
    const members = g.members
      .filter((u) => u !== instanceUuid)
      .map((u) => this.s.instances.get(u))
      .filter((i): i is Instance => i !== null)
      .map((i) => ({ uuid: i.uuid, host: i.host, node: i.node }));
    const hosts = [...new Set(members.map((m) => m.host).filter((h): h is string => h !== null))];
    return { uuid: g.uuid, policy: g.policy, rules: g.rules, members, hosts };
  }
}
