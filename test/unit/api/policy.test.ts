import { describe, expect, it } from 'vitest';
import { Policy } from '../../../src/api/policy.js';
import type { RequestContext } from '../../../src/domain.js';
import { master } from '../../../src/profiles/master.js';
import { zed } from '../../../src/profiles/zed.js';

const ctx = (roles: string[], projectId = 'p1'): RequestContext => ({
  requestId: 'req-1', userId: 'u1', projectId, roles, isAdmin: roles.includes('admin'), authToken: 't',
});
const SWAP = 'os_compute_api:os-volumes-attachments:swap';
const CREATE = 'os_compute_api:os-volumes-attachments:create';

describe('policy defaults per profile (spec §1.6)', () => {
  it('master: swap is service_or_admin with an empty target', () => {
    const p = new Policy(master.policy);
    expect(p.allowed(SWAP, ctx(['service']), {})).toBe(true);
    expect(p.allowed(SWAP, ctx(['admin', 'member', 'reader']), {})).toBe(true);
    expect(p.allowed(SWAP, ctx(['member', 'reader']), {})).toBe(false);
  });

  it('zed: swap is admin only (deprecated fallback is_admin:True)', () => {
    const p = new Policy(zed.policy);
    expect(p.allowed(SWAP, ctx(['service']), {})).toBe(false);
    expect(p.allowed(SWAP, ctx(['admin']), {})).toBe(true);
    expect(p.allowed(SWAP, ctx(['member', 'reader']), {})).toBe(false);
  });

  it('member rules need the same project (or admin); zed also falls back to admin_or_owner', () => {
    const m = new Policy(master.policy);
    expect(m.allowed(CREATE, ctx(['member', 'reader']), { project_id: 'p1' })).toBe(true);
    expect(m.allowed(CREATE, ctx(['member', 'reader']), { project_id: 'p2' })).toBe(false);
    expect(m.allowed(CREATE, ctx(['reader']), { project_id: 'p1' })).toBe(false);
    const z = new Policy(zed.policy);
    // Zed's deprecated rule admin_or_owner lets any role of the owning project through.
    expect(z.allowed(CREATE, ctx(['reader']), { project_id: 'p1' })).toBe(true);
    expect(z.allowed(CREATE, ctx(['reader']), { project_id: 'p2' })).toBe(false);
  });

  it('authorize() raises Nova\'s 403 text; overrides replace a rule like policy.yaml', () => {
    const p = new Policy(master.policy);
    expect(() => p.authorize(SWAP, ctx(['member']), {})).toThrow(`Policy doesn't allow ${SWAP} to be performed.`);
    const open = new Policy({ ...master.policy, [SWAP]: '' });
    expect(open.allowed(SWAP, ctx(['member']), {})).toBe(true);
    const closed = new Policy({ ...master.policy, [SWAP]: '!' });
    expect(closed.allowed(SWAP, ctx(['admin']), {})).toBe(false);
    const nested = new Policy({ r: 'not (role:a or role:b) and (role:c)' });
    expect(nested.allowed('r', ctx(['c']), {})).toBe(true);
    expect(nested.allowed('r', ctx(['c', 'a']), {})).toBe(false);
  });
});
