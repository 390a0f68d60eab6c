// What a sample scenario produces: the notifications Nova's test looks at, each with the way
// Nova's test checks it.
import type { ConfigInput } from '../config.js';
import type { ProfileName } from '../profiles/index.js';
import type { Replacements } from '../testing/match-sample.js';
import type { SampleHarness } from './harness.js';

/** Nova's fake notifier record: event_type, payload, priority, publisher_id. */
export type Recorded4 = Record<string, unknown> & { event_type: string; payload: Record<string, unknown>; priority: string; publisher_id: string };

export type Check =
  /**
   * _verify_notification(sample, replacements); `tracebackContains`: Nova's extra assertIn on the
   * fault traceback (an ExceptionPayload's own traceback for compute.exception).
   */
  | { kind: 'sample'; sample: string; replacements: Replacements; tracebackContains?: string }
  /**
   * No golden sample reproduces this notification (compute-exception.json is an aggregate-API
   * failure): compare the envelope and the ExceptionPayload's structure with `sample`, and its
   * exception fields (all but the traceback) with the fault of sample `faultOf`.
   */
  | { kind: 'exception'; sample: string; faultOf: string; publisherId: string; tracebackContains: string; note: string }
  /** Counted by Nova's test but not compared with a sample. */
  | { kind: 'none'; note: string };

export interface Recorded {
  /** Output file stem, named like Nova's sample files (`instance-volume_swap-end`). */
  file: string;
  notification: Recorded4;
  check: Check;
}

export interface ScenarioResult {
  /** Directory name under <out>/<profile>/. */
  name: string;
  /** The Nova test this reproduces. */
  nova: string;
  recorded: Recorded[];
  /** Failures found while driving the API (wrong status, wrong notification count/order…). */
  problems: string[];
  /** What this scenario cannot reproduce faithfully, said in the output. */
  notes: string[];
}

export interface Scenario {
  name: string;
  nova: string;
  /** Profiles the scenario exists in (default all): share attach needs 2.97, which zed lacks. */
  profiles?: readonly ProfileName[];
  /** Options the Nova test sets with self.flags(...) before the step (shelved_offload_time, reclaim_instance_interval). */
  flags?: Partial<ConfigInput>;
  /** Options that depend on the profile (e.g. a second compute host), applied after `flags`. */
  config?(profile: ProfileName): Partial<ConfigInput>;
  run(h: SampleHarness, profile: ProfileName): Promise<ScenarioResult>;
}
