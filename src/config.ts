// Every option of the simulator, one zod schema: CLI flags, NOVASIM_* variables and library options.
import { z } from 'zod';

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1')]);

export const ConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 = pick a free port. The library defaults to 0, the CLI to 8774. */
    port: z.coerce.number().int().min(0).max(65535).default(0),
    db: z.string().min(1).default(':memory:'),
    profile: z.enum(['master', 'zed']).default('master'),
    seed: z.string().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
    deterministic: bool.default(false),
    frozenTime: z.string().optional(),
    fixedRequestId: z.string().optional(),
    /** Time the simulated hypervisor takes to build a server (BUILD → ACTIVE). */
    buildDelayMs: z.coerce.number().int().min(0).max(600_000).default(5),
    /**
     * How long the simulated hypervisor's live migration runs (the `running` phase) unless
     * force_complete or abort ends it first (nova.virt.fake.FakeLiveMigrateDriver waits up to 5 s).
     */
    liveMigrationMs: z.coerce.number().int().min(0).max(3_600_000).default(2000),
    /** Compute service host (publisher `nova-compute:<computeHost>`, instance.host). */
    computeHost: z.string().min(1).default('compute'),
    /** Hypervisor node name (instance.node). */
    node: z.string().min(1).default('novasim-node'),
    /** Nova's CONF.host: compute.exception publisher and instance fault host. */
    confHost: z.string().min(1).default('novasim'),
    /** Device prefix the simulated driver hands out: 'vd' (libvirt virtio) or 'sd' (Nova's fake driver). */
    diskPrefix: z.enum(['vd', 'sd', 'xvd', 'hd']).default('vd'),
    availabilityZone: z.string().min(1).default('nova'),
    /** Base URL the compute side uses for Cinder; default is this simulator's own /volume/v3. */
    cinderUrl: z.string().url().optional(),
    /** Base URL the compute side uses for Neutron (…/networking); default is this simulator's own. */
    neutronUrl: z.string().url().optional(),
    /**
     * How the simulator's own service-to-service calls travel (compute → Cinder/Neutron/Glance, Cinder and
     * Neutron → Nova) when they target this simulator: `inject` = through fastify's inject in the process (no
     * socket; the library default), `http` = over a loopback socket (`novasim serve`'s default, and tests of
     * TCP-level faults). Calls to a configured cinderUrl/neutronUrl/novaUrl elsewhere always use HTTP.
     */
    transport: z.enum(['inject', 'http']).default('inject'),
    tokenTtlSeconds: z.coerce.number().int().min(1).default(3600),
    bodyLimit: z.coerce.number().int().min(1024).default(1024 * 1024),
    controlToken: z.string().min(1).optional(),
    notificationFormat: z.enum(['unversioned', 'versioned', 'both']).default('versioned'),
    bdmsInNotifications: bool.default(true),
    /**
     * [notifications] notify_on_state_change (nova/conf/notifications.py): None (Nova's default: Instance.save sends
     * no instance.update), 'vm_state' or 'vm_and_task_state'. 'none'/'None' spell the default on the command line.
     */
    notifyOnStateChange: z
      .union([z.null(), z.enum(['vm_state', 'vm_and_task_state']), z.enum(['none', 'None']).transform(() => null)])
      .default(null),
    includeShareMapping: bool.default(true),
    /**
     * The compute nodes report COMPUTE_MEM_BACKING_FILE (libvirt [libvirt]file_backed_memory > 0), as Nova's functional
     * fake driver does; off, only flavors with hw:mem_page_size may attach shares (hardware.check_shares_supported).
     */
    memBackingFile: bool.default(true),
    versionedNotificationsTopics: z.array(z.string().min(1)).default(['versioned_notifications']),
    /** [oslo_messaging_notifications] topics: legacy notifications go to `<topic>.<priority>`. */
    notificationsTopics: z.array(z.string().min(1)).min(1).default(['notifications']),
    notificationCap: z.coerce.number().int().min(1).default(10_000),
    notifyJsonl: z.string().optional(),
    notifyAmqp: z.string().optional(),
    notifyWebhook: z.string().url().optional(),
    controlExchange: z.string().min(1).default('nova'),
    /** Policy rule overrides, like Nova's policy.yaml: rule name → check string ("" allows everyone). */
    policyOverrides: z.record(z.string(), z.string()).default({}),
    /**
     * Attach the pre-Cinder-3.44 way (os-reserve / os-initialize_connection / os-attach), leaving BDMs with
     * attachment_id null — as upgraded clouds still have them. Swaps of such BDMs take Nova's legacy path.
     */
    legacyVolumeAttach: bool.default(false),
    /** Nova's [cinder] cross_az_attach. */
    crossAzAttach: bool.default(true),
    /**
     * Nova's [DEFAULT] vif_plugging_timeout, in seconds: how long a spawn waits for Neutron's
     * network-vif-plugged event of each port bound for it (0: do not wait). Fractions allowed here.
     */
    vifPluggingTimeout: z.coerce.number().min(0).max(3600).default(300),
    /**
     * Nova's [DEFAULT] reimage_timeout_per_gb: seconds per GiB of the new image that a volume-backed rebuild (2.93)
     * waits for Cinder's volume-reimaged event. Fractions allowed here.
     */
    reimageTimeoutPerGb: z.coerce.number().min(0).max(3600).default(20),
    /** Nova's [DEFAULT] vif_plugging_is_fatal: a missing (or failed) event aborts the build. */
    vifPluggingIsFatal: bool.default(true),
    /** Nova's [cinder] timeout for one Cinder HTTP call (Nova's default is none; 30 s here). */
    cinderTimeoutMs: z.coerce.number().int().min(1).max(600_000).default(30_000),
    /** [manila] share_apply_policy_timeout: tries (one second apart) for an allowed access rule to become active. */
    shareApplyPolicyTimeout: z.coerce.number().int().min(1).max(3600).default(10),
    /** Nova's [cinder] http_retries: keystoneauth connect retries on connection failures/timeouts. */
    cinderHttpRetries: z.coerce.number().int().min(0).max(20).default(3),
    /** First keystoneauth connect-retry delay; doubles each retry (keystoneauth starts at 0.5 s). */
    cinderRetryDelayMs: z.coerce.number().int().min(0).max(60_000).default(500),
    /** [service_user] send_service_user_token for Nova→Cinder and Cinder→Nova calls (devstack: true). */
    sendServiceUserToken: bool.default(true),
    /** Nova's [service_user] credentials (devstack: user nova in project service). */
    novaServiceUser: z.string().min(1).default('nova'),
    novaServicePassword: z.string().default('secret'),
    /** Cinder's [service_user] credentials (devstack: user cinder in project service). */
    cinderServiceUser: z.string().min(1).default('cinder'),
    cinderServicePassword: z.string().default('secret'),
    /** Cinder's [nova] privileged user, used for update_server_volume (devstack: nova, admin+service). */
    cinderNovaUser: z.string().min(1).default('nova'),
    cinderNovaPassword: z.string().default('secret'),
    /** Project of the service users above. */
    serviceProject: z.string().min(1).default('service'),
    /** Base URL the fake Cinder uses for Nova; default is this simulator's own /compute/v2.1. */
    novaUrl: z.string().url().optional(),
    /** Fake Cinder host, as in `<host>@lvmdriver-1#lvmdriver-1`. */
    cinderHost: z.string().min(1).default('novasim'),
    /** Time the fake Cinder's volume manager takes to create a volume (creating → available). */
    volumeCreateDelayMs: z.coerce.number().int().min(0).max(600_000).default(5),
    /** Time it takes to delete one (deleting → gone). */
    volumeDeleteDelayMs: z.coerce.number().int().min(0).max(600_000).default(5),
    /** Cinder's migration_create_volume_timeout_secs (300 s): how long a migration waits for its target. */
    migrationCreateTimeoutMs: z.coerce.number().int().min(1).max(3_600_000).default(300_000),
    /**
     * 'cinder' (default): the fake Cinder behaves like real Cinder. 'nova-fixture' reproduces Nova's
     * functional-test CinderFixture (nova/tests/fixtures/cinder.py), for notification-sample
     * regeneration only: volume GETs show `migration_status` to every caller, and
     * os-migrate_volume_completion of a migrating volume onto a volume that is not a migration
     * target answers the fixture's `{"save_volume_id": <new>}` (no policy check; old volume's
     * attachments move to the new one as in Nova's legacy swap, migration_status cleared) where
     * real Cinder answers 400 "Destination volume not mid-migration.".
     */
    cinderCompat: z.enum(['cinder', 'nova-fixture']).default('cinder'),
    /** Cinder's per-project quota_volumes / quota_gigabytes defaults; -1 = unlimited. */
    volumeQuota: z.coerce.number().int().min(-1).default(10),
    gigabytesQuota: z.coerce.number().int().min(-1).default(1000),
    /** Nova's [quota] instances / cores / ram defaults (before any quota class or os-quota-sets row); -1 = unlimited. */
    instanceQuota: z.coerce.number().int().min(-1).default(10),
    coresQuota: z.coerce.number().int().min(-1).default(20),
    ramQuota: z.coerce.number().int().min(-1).default(51200),
    /** Reset barrier: how long a request arriving during a reset waits before a 503 (src/reset-barrier.ts). */
    resetWaitMs: z.coerce.number().int().min(0).max(600_000).default(10_000),
    /** Reset barrier: how long a reset waits for in-flight requests and tasks before giving up (503). */
    resetDrainMs: z.coerce.number().int().min(1).max(600_000).default(30_000),
    /**
     * Simulated nova-compute services, one hypervisor node each: the first is `computeHost`/`node`, the
     * others `<computeHost>-<n>`/`<node>-<n>` (a seed's `computeHosts` list replaces them).
     */
    computeHosts: z.coerce.number().int().min(1).max(1000).default(2),
    /** Nova's [DEFAULT] allow_resize_to_same_host (default False): resize/cold migrate may land on the instance's own host. */
    allowResizeToSameHost: bool.default(false),
    /** Nova's [DEFAULT] resize_confirm_window, seconds: a VERIFY_RESIZE server older than this is confirmed automatically (0 = never). */
    resizeConfirmWindow: z.coerce.number().int().min(0).default(0),
    /** Capacity of each generated node: a large hypervisor, so test suites booting hundreds of servers fit. */
    hostVcpus: z.coerce.number().int().min(1).default(64),
    hostMemoryMb: z.coerce.number().int().min(1).default(262_144),
    hostLocalGb: z.coerce.number().int().min(1).default(10_240),
    /** [DEFAULT] initial_cpu/ram/disk_allocation_ratio (Nova: 4.0, 1.0, 1.0). */
    cpuAllocationRatio: z.coerce.number().positive().default(4.0),
    ramAllocationRatio: z.coerce.number().positive().default(1.0),
    diskAllocationRatio: z.coerce.number().positive().default(1.0),
    /** [DEFAULT] reserved_host_memory_mb: counted as used on every node (Nova: 512). */
    reservedHostMemoryMb: z.coerce.number().int().min(0).default(512),
    /**
     * Nova's [DEFAULT] shelved_offload_time (seconds): 0 offloads at shelve time, -1 never, > 0 lets the
     * periodic _poll_shelved_instances offload a SHELVED server that long after it was shelved.
     */
    shelvedOffloadTime: z.coerce.number().int().min(-1).default(0),
    /** Nova's [DEFAULT] shelved_poll_interval (seconds; Nova default 3600): how often that periodic task runs. */
    shelvedPollInterval: z.coerce.number().int().min(1).default(3600),
    /**
     * Nova's [DEFAULT] reclaim_instance_interval (seconds): > 0 makes DELETE a soft delete (SOFT_DELETED,
     * restorable) and _reclaim_queued_deletes, run every that many seconds, deletes servers soft-deleted longer ago.
     */
    reclaimInstanceInterval: z.coerce.number().int().min(0).default(0),
    /**
     * Console proxies switched on, as [vnc]/[spice]/[serial_console]/[mks] enabled (Nova: only vnc).
     * The console URLs use Nova's default proxy base URLs; tokens live [consoleauth] token_ttl seconds.
     */
    enabledConsoles: z.array(z.enum(['vnc', 'spice', 'serial', 'mks'])).default(['vnc']),
    consoleTokenTtl: z.coerce.number().int().min(1).default(600),
    /** [DEFAULT] compute_monitors: 'cpu.virt_driver' makes update_available_resource send metrics.update (Nova: none). */
    computeMonitors: z.array(z.enum(['cpu.virt_driver'])).default([]),
    /** [DEFAULT] my_ip: the compute host's IP in metrics.update and libvirt.connect.error (Nova: the host's address). */
    myIp: z.string().min(1).default('127.0.0.1'),
    /** [DEFAULT] compute_driver, the `source` of monitor metrics (devstack: libvirt.LibvirtDriver). */
    computeDriver: z.string().min(1).default('libvirt.LibvirtDriver'),
    /** [DEFAULT] volume_usage_poll_interval: > 0 sends volume.usage on detach and from _poll_volume_usage (Nova: 0). */
    volumeUsagePollInterval: z.coerce.number().int().min(0).default(0),
    /** [filter_scheduler] soft_affinity_weight_multiplier / soft_anti_affinity_weight_multiplier (Nova: 1.0, min 0). */
    softAffinityWeightMultiplier: z.coerce.number().min(0).default(1.0),
    softAntiAffinityWeightMultiplier: z.coerce.number().min(0).default(1.0),
    /** [DEFAULT] instance_usage_audit_period: hour|day|month|year, optionally `@offset` (Nova: month). */
    instanceUsageAuditPeriod: z.string().regex(/^(hour|day|month|year)(@\d+)?$/, 'Time period must be hour, day, month or year').default('month'),
    /** [filter_scheduler] enabled_filters (default Nova's; src/scheduler/filters.ts lists those novasim has). */
    schedulerEnabledFilters: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** NOVASIM_<UPPER_SNAKE> → option name. */
export function configFromEnv(env: NodeJS.ProcessEnv): Partial<Record<keyof Config, string>> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const envName = `NOVASIM_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const v = env[envName];
    if (v !== undefined && v !== '') out[key] = v;
  }
  if (out.versionedNotificationsTopics) (out as Record<string, unknown>).versionedNotificationsTopics = out.versionedNotificationsTopics.split(',');
  if (out.notificationsTopics) (out as Record<string, unknown>).notificationsTopics = out.notificationsTopics.split(',');
  if (out.computeMonitors) (out as Record<string, unknown>).computeMonitors = out.computeMonitors.split(',');
  if (out.schedulerEnabledFilters) (out as Record<string, unknown>).schedulerEnabledFilters = out.schedulerEnabledFilters.split(',');
  if (out.enabledConsoles) (out as Record<string, unknown>).enabledConsoles = out.enabledConsoles.split(',');
  return out as Partial<Record<keyof Config, string>>;
}
