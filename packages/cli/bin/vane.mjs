#!/usr/bin/env node
// Runs the TypeScript CLI in this very process, with tsx's loader registered, so `npx vane`
// works from a fresh clone without a build and signals (Ctrl-C, SIGTERM) reach the work
// directly: there is no second process to orphan.
import { register } from 'tsx/esm/api';

register();
await import('../src/bin.ts');
