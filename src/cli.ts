#!/usr/bin/env node
// Entry of the `novasim` command: tune the heap for the start-up (src/startup-heap.ts) before the rest
// of the program is loaded and evaluated, then run the command line (src/cli-main.ts).
import { holdYoungGeneration } from './startup-heap.js';

holdYoungGeneration();
await import('./cli-main.js');
