// Row ↔ domain conversions shared by the store modules.
export const toIso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
export const fromIso = (s: string | null | undefined): Date | null => (s ? new Date(s) : null);
export const bool = (n: unknown): boolean => n === 1 || n === true;
