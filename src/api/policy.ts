// A small oslo.policy evaluator for the check strings Nova's defaults use:
// rule:, role:, is_admin:True, project_id:%(project_id)s, @, !, and/or/not, parentheses.
import type { RequestContext } from '../domain.js';
import { BASE_RULES } from '../profiles/policy-base.js';
import { NovaError } from './errors.js';

export interface PolicyTarget {
  project_id?: string;
  user_id?: string;
}

type Node = { t: 'check'; kind: string; match: string } | { t: 'and' | 'or'; a: Node; b: Node } | { t: 'not'; a: Node } | { t: 'const'; v: boolean };

const cache = new Map<string, Node>();

function parse(src: string): Node {
  const hit = cache.get(src);
  if (hit) return hit;
  // Protect "%(attr)s" substitutions before splitting on parentheses.
  const toks = src.replace(/%\((\w+)\)s/g, '%<$1>s').replace(/\(/g, ' ( ').replace(/\)/g, ' ) ').split(/\s+/).filter(Boolean);
  let i = 0;
  const expr = (): Node => {
    let n = term();
    while (toks[i] === 'or') {
      i++;
      n = { t: 'or', a: n, b: term() };
    }
    return n;
  };
  const term = (): Node => {
    let n = factor();
    while (toks[i] === 'and') {
      i++;
      n = { t: 'and', a: n, b: factor() };
    }
    return n;
  };
  const factor = (): Node => {
    const tok = toks[i++];
    if (tok === 'not') return { t: 'not', a: factor() };
    if (tok === '(') {
      const n = expr();
      i++; // ')'
      return n;
    }
    if (tok === '@' || tok === undefined) return { t: 'const', v: true };
    if (tok === '!') return { t: 'const', v: false };
    const idx = tok.indexOf(':');
    return { t: 'check', kind: tok.slice(0, idx), match: tok.slice(idx + 1) };
  };
  const n = src.trim() === '' ? ({ t: 'const', v: true } as Node) : expr();
  cache.set(src, n);
  return n;
}

export class Policy {
  constructor(private rules: Record<string, string>) {}

  allowed(rule: string, ctx: RequestContext, target: PolicyTarget): boolean {
    return this.evalRule(rule, ctx, target, 0);
  }

  /** Nova's context.can(): 403 "Policy doesn't allow <rule> to be performed." */
  authorize(rule: string, ctx: RequestContext, target: PolicyTarget): void {
    if (!this.allowed(rule, ctx, target)) throw new NovaError(403, `Policy doesn't allow ${rule} to be performed.`);
  }

  private evalRule(name: string, ctx: RequestContext, target: PolicyTarget, depth: number): boolean {
    const src = this.rules[name] ?? (BASE_RULES as Record<string, string>)[name];
    if (src === undefined || depth > 20) return false;
    return this.evalNode(parse(src), ctx, target, depth);
  }

  private evalNode(n: Node, ctx: RequestContext, target: PolicyTarget, depth: number): boolean {
    switch (n.t) {
      case 'const':
        return n.v;
      case 'and':
        return this.evalNode(n.a, ctx, target, depth) && this.evalNode(n.b, ctx, target, depth);
      case 'or':
        return this.evalNode(n.a, ctx, target, depth) || this.evalNode(n.b, ctx, target, depth);
      case 'not':
        return !this.evalNode(n.a, ctx, target, depth);
      case 'check':
        switch (n.kind) {
          case 'rule':
            return this.evalRule(n.match, ctx, target, depth + 1);
          case 'role':
            return ctx.roles.map((r) => r.toLowerCase()).includes(n.match.toLowerCase());
          case 'is_admin':
            return String(ctx.isAdmin) === n.match.toLowerCase() || (ctx.isAdmin && n.match === 'True');
          default: {
            // generic check: "<cred attr>:%(<target attr>)s"
            const credVal = n.kind === 'project_id' ? ctx.projectId : n.kind === 'user_id' ? ctx.userId : undefined;
            const m = /^%<(\w+)>s$/.exec(n.match);
            const want = m ? (target as Record<string, string | undefined>)[m[1]] : n.match;
            return credVal !== undefined && want !== undefined && credVal === want;
          }
        }
    }
  }
}
