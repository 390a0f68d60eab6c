// /servers: create, list, detail, show, update, delete (nova/api/openstack/compute/servers.py).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Instance, VmState } from '../../domain.js';
import { requestBase } from '../../identity/catalog.js';
import type { NetworkRequest, RequestedNetwork } from '../../compute/network.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type Query, lastValue, queryDateTime, queryNonNegativeInt } from '../query.js';
import { type ApiDeps, parseBody } from '../plugin.js';
import { forcedPlacement } from '../server-placement.js';
import * as schema from '../schemas/servers.js';
import { vmStatesForStatus } from '../views/server-status.js';
import { OVER_QUOTA_ERRORS } from '../../compute/quotas.js';
import { schedulerHintGroup } from '../schemas/scheduler-hints.js';
import { basicServer, serverDetail, serverLinks } from '../views/servers.js';
import type { ApiBdm } from '../../compute/block-device.js';
import { processBdmsForCreate } from '../../compute/bdm-validation.js';
import type { AttachedVolume } from '../../store/block-devices.js';

const RULE = 'os_compute_api:servers';

/** servers.py create: the block device exceptions it turns into 400s (and CinderConnectionFailed's 503). */
const BDM_CREATE_ERRORS: Record<string, number> = {
  InvalidBDM: 400, InvalidBDMSnapshot: 400, InvalidBDMVolume: 400, InvalidBDMImage: 400, InvalidBDMBootSequence: 400, InvalidBDMLocalsLimit: 400,
  InvalidBDMVolumeNotBootable: 400, InvalidBDMEphemeralSize: 400, InvalidBDMFormat: 400, InvalidBDMSwapSize: 400, InvalidBDMDiskBus: 400,
  VolumeTypeNotFound: 400, SnapshotNotFound: 400, VolumeNotFound: 400, InvalidVolume: 400, MismatchVolumeAZException: 400,
  MultiattachNotSupportedOldMicroversion: 400, CertificateValidationFailed: 400, VolumeSmallerThanMinDisk: 400,
};
const MAX_LIMIT = 1000;

const UUID_LIKE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** ServersController._get_requested_networks (the schema has checked the shapes). */
function networksOf(n: unknown): NetworkRequest {
  if (n === 'none' || n === 'auto') return n;
  if (!Array.isArray(n)) return 'unspecified';
  const out: RequestedNetwork[] = [];
  const ports: string[] = [];
  for (const x of n as { uuid?: string; port?: string | null; fixed_ip?: string; tag?: string }[]) {
    if (x.port) {
      if (ports.includes(x.port)) throw new NovaError(400, `Port ID '${x.port}' was specified twice: you cannot attach a port multiple times.`);
      if (x.fixed_ip !== undefined) throw new NovaError(400, `Specified Fixed IP '${x.fixed_ip}' cannot be used with port '${x.port}': the two cannot be specified together.`);
      ports.push(x.port);
      out.push({ port: x.port, ...(x.tag ? { tag: x.tag } : {}) });
      continue;
    }
    if (x.uuid === undefined) throw new NovaError(400, "Bad network format: missing 'uuid'");
    if (!UUID_LIKE.test(x.uuid)) throw new NovaError(400, `Bad networks format: network uuid is not in proper format (${x.uuid})`);
    out.push({ uuid: x.uuid, ...(x.fixed_ip !== undefined ? { fixed_ip: x.fixed_ip } : {}), ...(x.tag ? { tag: x.tag } : {}) });
  }
  return out;
}

export async function serverRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy, compute } = opts.deps;
  const base = (req: FastifyRequest) => `${requestBase(req)}/compute/v2.1`;

  const detail = (req: FastifyRequest, i: Instance, kind: 'show' | 'list', bdms?: AttachedVolume[], baseUrl = base(req)) =>
    serverDetail(i, {
      base: baseUrl, version: req.apiVersion, isAdmin: req.ctx.isAdmin, bdms: bdms ?? s.bdms.listForInstance(i.uuid),
      // Looked up only for ERROR/DELETED servers (the view shows a fault only then).
      fault: () => s.actions.latestFaultFor(i.uuid), detailKind: kind,
    });

  /** The list's details: the attached volumes of every listed server in one query. */
  const detailList = (req: FastifyRequest, servers: Instance[], baseUrl: string) => {
    const bdms = s.bdms.volumesAttachedToMany(servers.map((i) => i.uuid));
    return servers.map((i) => detail(req, i, 'list', bdms.get(i.uuid) ?? [], baseUrl));
  };

  const getInstance = (req: FastifyRequest, id: string) => mapErrors(() => compute.get(req.ctx, id), { InstanceNotFound: 404 });

  function list(req: FastifyRequest, isDetail: boolean) {
    const q = req.query as Query;
    const one = (k: string) => lastValue(q, k);
    const allTenantsRaw = one('all_tenants');
    const allTenants = allTenantsRaw !== undefined && !['0', 'false', 'f', 'no', 'off'].includes(allTenantsRaw.toLowerCase());
    policy.authorize(`${RULE}:${isDetail ? 'detail' : 'index'}`, req.ctx, { project_id: req.ctx.projectId });
    if (allTenants) policy.authorize(`${RULE}:${isDetail ? 'detail' : 'index'}:get_all_tenants`, req.ctx, { project_id: req.ctx.projectId });
    const limit = Math.min(queryNonNegativeInt(q, 'limit') ?? MAX_LIMIT, MAX_LIMIT);
    const changesSince = queryDateTime(q, 'changes-since');
    let marker = null;
    const rawMarker = one('marker');
    if (rawMarker !== undefined) {
      marker = s.instances.markerFor(rawMarker);
      if (!marker) throw new NovaError(400, `marker [${rawMarker}] not found`);
    }
    let vmStates: VmState[] | null = null;
    const status = one('status');
    if (status !== undefined) {
      vmStates = vmStatesForStatus(status) as VmState[] | null;
      // Nova answers an empty list for an unknown status (admins) — for everyone here.
      if (!vmStates) return isDetail ? { servers: [] } : { servers: [] };
    }
    let name: RegExp | null = null;
    const nameQ = one('name');
    if (nameQ !== undefined) {
      try {
        name = new RegExp(nameQ);
      } catch {
        name = new RegExp(nameQ.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      }
    }
    const servers = s.instances.list({
      projectId: allTenants ? (one('project_id') ?? one('tenant_id') ?? null) : req.ctx.projectId,
      name,
      vmStates,
      limit,
      marker,
      reservationId: one('reservation_id'),
      changesSince,
      deleted: changesSince !== undefined,
    });
    const baseUrl = base(req);
    const body: Record<string, unknown> = {
      servers: isDetail ? detailList(req, servers, baseUrl) : servers.map((i) => basicServer(baseUrl, i)),
    };
    if (servers.length === limit && limit > 0) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(q)) if (k !== 'marker' && v !== undefined) params.set(k, String(Array.isArray(v) ? v[v.length - 1] : v));
      params.set('marker', servers[servers.length - 1].uuid);
      body.servers_links = [{ href: `${baseUrl}/servers${isDetail ? '/detail' : ''}?${params.toString()}`, rel: 'next' }];
    }
    return body;
  }

  app.get('/servers', async (req) => list(req, false));
  app.get('/servers/detail', async (req) => list(req, true));

  app.get('/servers/:id', async (req) => {
    const i = await getInstance(req, (req.params as { id: string }).id);
    policy.authorize(`${RULE}:show`, req.ctx, { project_id: i.project_id });
    return { server: detail(req, i, 'show') };
  });

  app.post('/servers', async (req, reply) => {
    const v = req.apiVersion;
    const body = parseBody(schema.createSchemaFor(v), req.body);
    const srv = body.server as Record<string, unknown> & { name: string; imageRef?: string; flavorRef: string };
    policy.authorize(`${RULE}:create`, req.ctx, { project_id: req.ctx.projectId });
    // Only checked when trusted certificate ids were given.
    const trustedCerts = (srv.trusted_image_certificates as string[] | null | undefined) ?? null;
    if (trustedCerts?.length) policy.authorize(`${RULE}:create:trusted_certs`, req.ctx, { project_id: req.ctx.projectId });
    // _process_bdms_for_create (BlockDeviceDict.from_api's InvalidBDMFormat is a 400), then its policy check.
    const blockDevices = await mapErrors(
      () => processBdmsForCreate(srv.block_device_mapping as ApiBdm[] | undefined, srv.block_device_mapping_v2 as ApiBdm[] | undefined, srv.imageRef),
      { InvalidRequest: 400, InvalidBDMFormat: 400 },
    );
    if (blockDevices) policy.authorize(`${RULE}:create:attach_volume`, req.ctx, { project_id: req.ctx.projectId });
    // _image_from_req_data: imageRef may be empty only when block devices were given.
    if (!srv.imageRef && !blockDevices) throw new NovaError(400, 'Missing imageRef attribute');
    const group = schedulerHintGroup(body as Record<string, unknown>);
    const placement = forcedPlacement(opts.deps, req.ctx, srv.availability_zone as string | undefined, body as Record<string, unknown>);
    const minCount = (srv.min_count as number | undefined) ?? 1;
    const maxCount = (srv.max_count as number | undefined) ?? minCount;
    if (minCount > maxCount) throw new NovaError(400, 'min_count must be <= max_count');
    const instances = await mapErrors(
      () => compute.createServers(req.ctx, {
        name: srv.name, description: createDescription(v, srv), flavorRef: srv.flavorRef, imageRef: srv.imageRef ?? '',
        blockDevices, supportsMultiattach: v.matches('2.60'),
        keyName: (srv.key_name as string | undefined) ?? null, ...placement,
        metadata: (srv.metadata as Record<string, string> | undefined) ?? {}, minCount, maxCount,
        autoDiskConfig: srv['OS-DCF:diskConfig'] === 'AUTO', tags: (srv.tags as string[] | undefined) ?? [],
        networks: networksOf(srv.networks as unknown), trustedCerts, group,
      }),
      {
        PortNotFound: 400, PortInUse: 409, NetworkNotFound: 400, NetworkAmbiguous: 409, UnableToAutoAllocateNetwork: 400, FixedIpAlreadyInUse: 400,
        PortRequiresFixedIP: 400, NetworkRequiresSubnet: 400, ExternalNetworkAttachForbidden: 403, InvalidFixedIpAndMaxCountRequest: 400, PortNotUsable: 400,
        FlavorNotFound: 400, ImageNotFound: 400, ImageNotActive: 400, KeypairNotFound: 400, FlavorDiskSmallerThanMinDisk: 400, InvalidRequest: 400,
        InstanceGroupNotFound: 400, ...BDM_CREATE_ERRORS, ...OVER_QUOTA_ERRORS,
      },
    );
    reply.code(202);
    if (srv.return_reservation_id) return { reservation_id: instances[0].reservation_id };
    const first = instances[0];
    reply.header('location', `${base(req)}/servers/${first.uuid}`);
    return {
      server: {
        id: first.uuid,
        links: serverLinks(base(req), first.uuid),
        'OS-DCF:diskConfig': first.auto_disk_config ? 'AUTO' : 'MANUAL',
        security_groups: [{ name: 'default' }],
        adminPass: (srv.adminPass as string | undefined) ?? s.runtime.randomString(12, 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'),
      },
    };
  });

  app.put('/servers/:id', async (req) => {
    const body = parseBody(schema.updateServer, req.body);
    const i = await getInstance(req, (req.params as { id: string }).id);
    policy.authorize(`${RULE}:update`, req.ctx, { project_id: i.project_id });
    const patch: Partial<Instance> = { updated_at: s.runtime.now() };
    if (body.server.name !== undefined) patch.display_name = body.server.name;
    if (body.server.description !== undefined) {
      if (req.apiVersion.lt('2.19')) throw new NovaError(400, "Invalid input for field/attribute server. Value: " + JSON.stringify(body.server) + ". Additional properties are not allowed ('description' was unexpected)");
      patch.display_description = body.server.description;
    }
    if (body.server['OS-DCF:diskConfig'] !== undefined) patch.auto_disk_config = body.server['OS-DCF:diskConfig'] === 'AUTO';
    compute.updateServer(req.ctx, i, patch);
    return { server: detail(req, s.instances.get(i.uuid)!, 'show') };
  });

  app.delete('/servers/:id', async (req, reply) => {
    const i = await getInstance(req, (req.params as { id: string }).id);
    policy.authorize(`${RULE}:delete`, req.ctx, { project_id: i.project_id });
    await mapErrors(() => compute.deleteServer(req.ctx, i), { InstanceIsLocked: 409 });
    return reply.code(204).send();
  });
}

/** servers.py create: below 2.19 the description is the (normalized) name; from 2.19 the body's or None. */
function createDescription(v: FastifyRequest['apiVersion'], srv: Record<string, unknown> & { name: string }): string | null {
  return v.matches('2.19') ? ((srv.description as string | null | undefined) ?? null) : srv.name.trim();
}
