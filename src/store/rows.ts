// Row ↔ domain conversions shared by the store modules.
export const toIso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
export const fromIso = (s: string | null | undefined): Date | null => (s ? new Date(s) : null);
export const bool = (n: unknown): boolean => n === 1 || n === true;

/** How compileRowReader converts a column: as stored, JSON text, ISO date, 0/1 (NULL → false), 0/1 keeping NULL. */
export type ColumnKind = 'plain' | 'json' | 'date' | 'bool' | 'nullableBool';

/**
 * A reader for rows read with `.raw(true)` (values in column order), compiled once per statement or table:
 * an object literal with the columns as keys, in column order. better-sqlite3 builds a keyed row property
 * by property in native code (and a wide one ends in V8's dictionary mode); arrays plus one literal of a
 * fixed shape were most of the cost of a 1,000-server page and ≈ 35 % of a Cinder volume read (issue #16).
 * Column names come from our own schema and enter the source only as JSON string literals.
 */
export function compileRowReader<T>(cols: readonly string[], kindOf: (col: string) => ColumnKind): (a: unknown[]) => T {
  const fields = cols.map((c, j) => {
    const v = `a[${j}]`;
    const kind = kindOf(c);
    const expr = kind === 'json' ? `${v} === null || ${v} === undefined ? null : JSON.parse(${v})`
      : kind === 'date' ? `${v} ? new Date(${v}) : null`
      : kind === 'bool' ? `${v} === 1 || ${v} === true`
      : kind === 'nullableBool' ? `${v} === null ? null : ${v} === 1`
      : v;
    return `${JSON.stringify(c)}: ${expr}`;
  });
  return new Function('a', `return {\n${fields.join(',\n')}\n};`) as (a: unknown[]) => T;
}
