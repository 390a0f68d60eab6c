// os-getConsoleOutput: Nova's API sample, _tail_log's length rules, schema, policy.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { action } from './helpers.js';

let sim: Simulator;
let demo: Client;
const sample = (f: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/reference/nova/api_samples/os-console-output/${f}`, import.meta.url), 'utf8'));

beforeAll(async () => {
  sim = await startSim();
  demo = await client(sim, 'demo');
});
afterAll(() => sim.close());

it('answers Nova\'s API sample, tails by length, validates the body', async () => {
  const id = await bootServer(sim, demo, 'console');
  const res = await action(demo, id, sample('console-output-post-req.json'));
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual(sample('console-output-post-resp.json'));
  expect((await action(demo, id, { 'os-getConsoleOutput': { length: 1 } })).json()).toEqual({ output: 'LAST LINE' });
  expect((await action(demo, id, { 'os-getConsoleOutput': { length: '2' } })).json()).toEqual({ output: 'ANOTHER\nLAST LINE' });
  expect((await action(demo, id, { 'os-getConsoleOutput': { length: 0 } })).json()).toEqual({ output: '' });
  expect((await action(demo, id, { 'os-getConsoleOutput': {} })).json().output).toBe('FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE');
  for (const bad of [{ length: -2 }, { length: 'x' }, { length: 1.5 }, { other: 1 }]) {
    expect((await action(demo, id, { 'os-getConsoleOutput': bad })).statusCode, JSON.stringify(bad)).toBe(400);
  }
  // Read-only: no instance action recorded.
  const actions = (await demo.req('GET', `/compute/v2.1/servers/${id}/os-instance-actions`)).json().instanceActions;
  expect(actions.map((a: { action: string }) => a.action)).toEqual(['create']);
});
