// nova/compute/api.py KeypairAPI: import, create (server-generated), delete, get, list, with the
// quota check first and keypair.<action>.start/.end around the write.
import type { RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import type { KeypairRow, KeypairStore } from '../store/keypairs.js';
import { generateFingerprint, generateSshKeyPair, generateX509Fingerprint, generateX509KeyPair } from './crypto.js';
import { ComputeException } from './exceptions.js';
import type { ComputeNotifier } from './notifier-port.js';
import type { QuotaEngine } from './quotas.js';

export type KeypairType = 'ssh' | 'x509';

export const keypairNotFound = (name: string, userId: string) =>
  new ComputeException('KeypairNotFound', `Keypair ${name} not found for user ${userId}`, { novaException: true, code: 404 });

export class KeypairApi {
  constructor(
    private s: Services,
    readonly store: KeypairStore,
    private quotas: QuotaEngine,
    private notifier: ComputeNotifier,
  ) {}

  /** KeyPair.create: the unique (user_id, name) constraint becomes KeyPairExists. */
  private insert(ctx: RequestContext, userId: string, name: string, type: KeypairType, fingerprint: string, publicKey: string): KeypairRow {
    return this.s.db.transaction(() => {
      if (this.store.get(userId, name)) throw new ComputeException('KeyPairExists', `Key pair '${name}' already exists.`, { novaException: true, code: 409 });
      // recheck_quota: re-counted inside the write (no window between check and insert here).
      this.quotas.checkKeypairs(ctx, userId, 1);
      return this.store.insert({ name, user_id: userId, fingerprint, public_key: publicKey, type, created_at: this.s.runtime.now().toISOString() });
    })();
  }

  /** import_key_pair. */
  importKeyPair(ctx: RequestContext, userId: string, name: string, publicKey: string, type: KeypairType = 'ssh'): KeypairRow {
    this.quotas.checkKeypairs(ctx, userId);
    const start = { user_id: userId, name, type, fingerprint: null, public_key: publicKey };
    this.notifier.notifyAboutKeypairAction(ctx, start, 'import', 'start');
    const fingerprint = type === 'ssh' ? generateFingerprint(publicKey) : generateX509Fingerprint(publicKey);
    const row = this.insert(ctx, userId, name, type, fingerprint, publicKey);
    this.notifier.notifyAboutKeypairAction(ctx, row, 'import', 'end');
    return row;
  }

  /** create_key_pair: the private key is returned once and never stored. */
  async createKeyPair(ctx: RequestContext, userId: string, name: string, type: KeypairType = 'ssh'): Promise<{ keypair: KeypairRow; privateKey: string }> {
    this.quotas.checkKeypairs(ctx, userId);
    this.notifier.notifyAboutKeypairAction(ctx, { user_id: userId, name, type, fingerprint: null, public_key: null }, 'create', 'start');
    // Deterministic mode draws the key from the seeded stream so reruns are byte-identical.
    const rt = this.s.runtime;
    const bytes = rt.deterministic ? (n: number) => rt.randomBytes(n) : undefined;
    const made = type === 'ssh'
      ? await generateSshKeyPair(2048, bytes)
      : await generateX509KeyPair(userId, rt.now(), Buffer.from(rt.uuid().replace(/-/g, '').slice(0, 16), 'hex'), 2048, bytes);
    const row = this.insert(ctx, userId, name, type, made.fingerprint, made.publicKey);
    this.notifier.notifyAboutKeypairAction(ctx, row, 'create', 'end');
    return { keypair: row, privateKey: made.privateKey };
  }

  /** delete_key_pair: start is sent with the stored key, before the row goes. */
  deleteKeyPair(ctx: RequestContext, userId: string, name: string): void {
    const row = this.get(userId, name);
    this.notifier.notifyAboutKeypairAction(ctx, row, 'delete', 'start');
    this.s.db.transaction(() => {
      if (!this.store.destroy(userId, name)) throw keypairNotFound(name, userId);
    })();
    this.notifier.notifyAboutKeypairAction(ctx, row, 'delete', 'end');
  }

  get(userId: string, name: string): KeypairRow {
    const row = this.store.get(userId, name);
    if (!row) throw keypairNotFound(name, userId);
    return row;
  }

  /** KeyPairList.get_by_user with limit/marker (a marker is a key name). */
  list(userId: string, limit: number, marker?: string): KeypairRow[] {
    if (marker !== undefined && !this.store.get(userId, marker)) {
      throw new ComputeException('MarkerNotFound', `Marker ${marker} could not be found.`, { novaException: true, code: 400 });
    }
    return this.store.list(userId, limit, marker);
  }
}
