// `expect(n).toMatchNotificationSample('instance-volume_swap-end', { replacements, profile })`.
// Importing this module registers the matcher (and `setup()` does it again, harmlessly), e.g.
// from a vitest setupFiles entry or at the top of a test file.
import { expect } from 'vitest';
import { matchesNotificationSample, type MatchOptions } from './match-sample.js';

interface NotificationSampleMatchers<R = unknown> {
  /** Nova's _verify_notification: the notification equals the golden sample after replacements. */
  toMatchNotificationSample(sampleName: string, opts?: MatchOptions): R;
}

declare module 'vitest' {
  interface Matchers<T = any> extends NotificationSampleMatchers<T> {}
}

export function setup(): void {
  expect.extend({
    toMatchNotificationSample(received: unknown, sampleName: string, opts?: MatchOptions) {
      const result = matchesNotificationSample(received, sampleName, opts);
      return {
        pass: result.pass,
        message: () =>
          result.pass
            ? `expected the notification not to match sample ${sampleName}`
            : `notification does not match sample ${sampleName}:\n${result.diff}`,
        expected: result.expected,
        actual: result.actual,
      };
    },
  });
}

setup();
