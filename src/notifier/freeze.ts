// Emitted notifications are shared by every sink and handed to user code (capture list, waitFor);
// freezing them means no consumer can change what another one sees.
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}
