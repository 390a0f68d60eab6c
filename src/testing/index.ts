// Helpers for users' own tests: Nova-style sample comparison, notification capture and waiting.
// The vitest matcher lives in ./vitest.ts so importing this module does not require vitest.
export { ANY, matchesNotificationSample, toRecordedNotification, type MatchOptions, type MatchResult, type Replacements } from './match-sample.js';
export { compareJson, formatDifferences, sortKey, type JsonDifference } from './json-equal.js';
export { loadSample, referenceDir, resolveRefs, sampleDir, type NotificationSample } from '../notifier/samples.js';
export { CaptureSink, NotificationTimeoutError, type NotificationFilter, type WaitOptions } from '../notifier/sinks/capture.js';
export type { CapturedNotification } from '../notifier/types.js';
