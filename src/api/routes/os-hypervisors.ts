// /os-hypervisors (nova/api/openstack/compute/hypervisors.py): list/detail with 2.33 paging and the 2.53
// pattern/with_servers parameters, show, uptime/statistics (until 2.87), search/servers (until 2.52).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestBase } from '../../identity/catalog.js';
import type { ComputeNodeRow } from '../../store/hosts.js';
import { NovaError } from '../errors.js';
import type { ApiDeps } from '../plugin.js';
import { type Query, lastValue, queryNonNegativeInt } from '../query.js';
import { hostUptime, hypervisorView } from '../views/hosts.js';

const RULE = 'os_compute_api:os-hypervisors';
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const NOT_FOUND = () => new NovaError(404, 'The resource could not be found.');
const TRUE = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE = ['0', 'f', 'false', 'off', 'n', 'no'];

export async function osHypervisorRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy } = opts.deps;

  /** strutils.bool_from_string(…, strict=True). */
  const withServersOf = (req: FastifyRequest): boolean => {
    if (!req.apiVersion.matches('2.53')) return false;
    const raw = lastValue(req.query as Query, 'with_servers');
    if (raw === undefined) return false;
    if (TRUE.includes(raw.toLowerCase())) return true;
    if (FALSE.includes(raw.toLowerCase())) return false;
    throw new NovaError(400, `Invalid input for query parameters with_servers. Value: ${raw}. '${raw}' is not one of ['True', 'true', 'False', 'false', '1', '0', 'on', 'off', 'yes', 'no', 't', 'f', 'y', 'n']`);
  };

  const byPattern = (pattern: string): ComputeNodeRow[] => {
    const nodes = s.hosts.nodes().filter((n) => n.hypervisor_hostname.toLowerCase().includes(pattern.toLowerCase()));
    if (!nodes.length) throw new NovaError(404, `No hypervisor matching '${pattern}' could be found.`);
    return nodes;
  };

  const list = (req: FastifyRequest, detail: boolean) => {
    policy.authorize(`${RULE}:${detail ? 'list-detail' : 'list'}`, req.ctx, {});
    const v = req.apiVersion;
    const q = req.query as Query;
    const withServers = withServersOf(req);
    const pattern = v.matches('2.53') ? lastValue(q, 'hypervisor_hostname_pattern') : undefined;
    const paging = v.matches('2.33');
    const limit = paging ? queryNonNegativeInt(q, 'limit') : undefined;
    const marker = paging ? lastValue(q, 'marker') : undefined;
    let nodes: ComputeNodeRow[];
    if (pattern !== undefined) {
      if (q.limit !== undefined || marker) throw new NovaError(400, 'Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.');
      nodes = byPattern(pattern);
    } else {
      nodes = s.hosts.nodes();
      if (marker !== undefined) {
        const idx = nodes.findIndex((n) => (v.matches('2.53') ? n.uuid === marker : String(n.id) === marker));
        if (idx < 0) throw new NovaError(400, `marker [${marker}] not found`);
        nodes = nodes.slice(idx + 1);
      }
      if (limit !== undefined) nodes = nodes.slice(0, limit);
    }
    const hypervisors = nodes.flatMap((n) => {
      const svc = s.hosts.computeService(n.host);
      if (!svc) return [];
      return [hypervisorView(req, s, n, svc, detail, withServers ? s.hosts.instancesOnHost(n.host) : null, withServers)];
    });
    const out: Record<string, unknown> = { hypervisors };
    // _view_builder.get_links: a next link when the page is full.
    if (paging && pattern === undefined && limit !== undefined && hypervisors.length === limit && limit > 0) {
      const last = hypervisors[hypervisors.length - 1].id;
      const params = new URLSearchParams(Object.entries(q).flatMap(([k, val]) => (k === 'marker' || val === undefined ? [] : (Array.isArray(val) ? val : [val]).map((x) => [k, x] as [string, string]))));
      params.set('marker', String(last));
      out.hypervisors_links = [{ href: `${requestBase(req)}/compute/v2.1/os-hypervisors${detail ? '/detail' : ''}?${params.toString()}`, rel: 'next' }];
    }
    return out;
  };

  /** _validate_id + compute_node_get. */
  const nodeOf = (req: FastifyRequest, id: string): ComputeNodeRow => {
    let node: ComputeNodeRow | null;
    if (req.apiVersion.matches('2.53')) {
      if (!UUID.test(id)) throw new NovaError(400, `Invalid uuid ${id}`);
      node = s.hosts.nodeByUuid(id.toLowerCase());
    } else {
      if (!/^\s*-?\d+\s*$/.test(id)) throw new NovaError(404, `Hypervisor with ID '${id}' could not be found.`);
      node = s.hosts.nodeById(Number(id));
    }
    if (!node || !s.hosts.computeService(node.host)) throw new NovaError(404, `Hypervisor with ID '${id}' could not be found.`);
    return node;
  };

  app.get('/os-hypervisors', async (req) => list(req, false));
  app.get('/os-hypervisors/detail', async (req) => list(req, true));

  app.get('/os-hypervisors/statistics', async (req) => {
    if (req.apiVersion.matches('2.88')) throw NOT_FOUND();
    policy.authorize(`${RULE}:statistics`, req.ctx, {});
    const st = { count: 0, vcpus: 0, memory_mb: 0, local_gb: 0, vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0, free_ram_mb: 0, free_disk_gb: 0, current_workload: 0, running_vms: 0, disk_available_least: 0 };
    for (const n of s.hosts.nodes()) {
      const svc = s.hosts.computeService(n.host);
      if (!svc || svc.disabled) continue;
      const u = s.hosts.usage(n.hypervisor_hostname);
      const memUsed = u.memory_mb_used + s.config.reservedHostMemoryMb;
      st.count++;
      st.vcpus += n.vcpus;
      st.memory_mb += n.memory_mb;
      st.local_gb += n.local_gb;
      st.vcpus_used += u.vcpus_used;
      st.memory_mb_used += memUsed;
      st.local_gb_used += u.local_gb_used;
      st.free_ram_mb += n.memory_mb - memUsed;
      st.free_disk_gb += n.local_gb - u.local_gb_used;
      st.running_vms += u.running_vms;
      st.disk_available_least += n.local_gb - u.local_gb_used;
    }
    return { hypervisor_statistics: st };
  });

  app.get('/os-hypervisors/:id', async (req) => {
    const { id } = req.params as { id: string };
    const withServers = withServersOf(req);
    policy.authorize(`${RULE}:show`, req.ctx, {});
    const node = nodeOf(req, id);
    const svc = s.hosts.computeService(node.host)!;
    return { hypervisor: hypervisorView(req, s, node, svc, true, withServers ? s.hosts.instancesOnHost(node.host) : null, withServers) };
  });

  app.get('/os-hypervisors/:id/uptime', async (req) => {
    if (req.apiVersion.matches('2.88')) throw NOT_FOUND();
    policy.authorize(`${RULE}:uptime`, req.ctx, {});
    const node = nodeOf(req, (req.params as { id: string }).id);
    const svc = s.hosts.computeService(node.host)!;
    return { hypervisor: { ...hypervisorView(req, s, node, svc, false), uptime: hostUptime(s) } };
  });

  app.get('/os-hypervisors/:id/search', async (req) => {
    if (req.apiVersion.matches('2.53')) throw NOT_FOUND();
    policy.authorize(`${RULE}:search`, req.ctx, {});
    const nodes = byPattern((req.params as { id: string }).id);
    return { hypervisors: nodes.flatMap((n) => { const svc = s.hosts.computeService(n.host); return svc ? [hypervisorView(req, s, n, svc, false)] : []; }) };
  });

  app.get('/os-hypervisors/:id/servers', async (req) => {
    if (req.apiVersion.matches('2.53')) throw NOT_FOUND();
    policy.authorize(`${RULE}:servers`, req.ctx, {});
    const nodes = byPattern((req.params as { id: string }).id);
    return { hypervisors: nodes.flatMap((n) => { const svc = s.hosts.computeService(n.host); return svc ? [hypervisorView(req, s, n, svc, false, s.hosts.instancesOnHost(n.host))] : []; }) };
  });
}
