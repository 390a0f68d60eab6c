// Flavor extra spec validation from API 2.86 (nova/api/validation/extra_specs/validators.py validate()
// and base.py ExtraSpecValidator.validate), with the validators each release registers.
import type { ProfileName } from '../../../profiles/index.js';
import { NovaError } from '../../errors.js';
import { KNOWN_MASTER } from './known-master.js';
import { KNOWN_ZED } from './known-zed.js';

export interface ExtraSpecRule {
  name: string;
  nameRegex: string;
  type: 'str' | 'int' | 'bool';
  pattern?: string;
  enum?: (string | boolean)[];
  min?: number;
  max?: number;
}

// os_traits.get_traits() and os_resource_classes.STANDARDS are long generated lists; novasim matches
// their names by shape (upper-case words), which accepts the same standard names Nova accepts.
const STANDARD_NAMES: ExtraSpecRule[] = [
  { name: 'trait{group}:{trait}', nameRegex: 'trait(?<group>([a-zA-Z0-9_-]{1,64})?):(?<trait>[A-Z][A-Z0-9_]*)', type: 'str', enum: ['required', 'forbidden'] },
  { name: 'resources{group}:{resource_class}', nameRegex: 'resources(?<group>([a-zA-Z0-9_-]{1,64})?):(?<rc>[A-Z][A-Z0-9_]*)', type: 'int' },
];

/** Nova's ValidationError is an Invalid (400) shown with its detail. */
const invalid = (detail: string) => new NovaError(400, detail);

const TRUE = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE = ['0', 'f', 'false', 'off', 'n', 'no'];

class Registry {
  private byName = new Map<string, { rule: ExtraSpecRule; name: RegExp; value: RegExp | null }>();
  private namespaces: RegExp[] = [];

  constructor(rules: readonly ExtraSpecRule[]) {
    for (const rule of [...rules, ...STANDARD_NAMES]) {
      if (this.byName.has(rule.name)) continue;
      this.byName.set(rule.name, { rule, name: new RegExp(`^(?:${rule.nameRegex})$`), value: rule.pattern ? new RegExp(`^(?:${rule.pattern})$`) : null });
      if (rule.nameRegex.includes(':')) {
        const ns = rule.nameRegex.split(':', 1)[0];
        if (!this.namespaces.some((r) => r.source === `^(?:${ns})$`)) this.namespaces.push(new RegExp(`^(?:${ns})$`));
      }
    }
  }

  validate(name: string, value: string): void {
    const exact = this.byName.get(name);
    if (exact) return this.check(exact, value);
    for (const v of this.byName.values()) if (v.name.test(name)) return this.check(v, value);
    if (!name.includes(':')) return;
    const ns = name.split(':', 1)[0];
    if (!this.namespaces.some((r) => r.test(ns))) return;
    throw invalid(`Validation failed; extra spec '${name}' does not appear to be a valid extra spec.`);
  }

  private check(v: { rule: ExtraSpecRule; value: RegExp | null }, value: string): void {
    const r = v.rule;
    if (r.type === 'int') {
      // Python int(): optional sign and surrounding whitespace, digits (underscores between digits).
      if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(value)) throw invalid(`Validation failed; '${value}' is not a valid integer value.`);
      const n = Number(value.replace(/_/g, ''));
      if (r.max !== undefined && r.max < n) throw invalid(`Validation failed; '${n}' is greater than the max value of '${r.max}'.`);
      if (r.min !== undefined && r.min > n) throw invalid(`Validation failed; '${n}' is less than the min value of '${r.min}'.`);
    } else if (r.type === 'bool') {
      const s = value.trim().toLowerCase();
      if (!TRUE.includes(s) && !FALSE.includes(s)) throw invalid(`Validation failed; '${value}' is not a valid boolean-like value.`);
    } else if (v.value) {
      if (!v.value.test(value)) throw invalid(`Validation failed; '${value}' is not of the format '${r.pattern}'.`);
    } else if (r.enum && !r.enum.map(String).includes(value)) {
      throw invalid(`Validation failed; '${value}' is not one of: ${r.enum.map((x) => (typeof x === 'boolean' ? (x ? 'True' : 'False') : x)).join(', ')}.`);
    }
  }
}

const registries = new Map<ProfileName, Registry>();

/** validators.validate(name, value) for the profile's release. */
export function validateExtraSpec(profile: ProfileName, name: string, value: string): void {
  let reg = registries.get(profile);
  if (!reg) registries.set(profile, (reg = new Registry(profile === 'zed' ? KNOWN_ZED : KNOWN_MASTER)));
  reg.validate(name, value);
}
