#!/usr/bin/env -S npx tsx
// Entry point of `herald` (package.json "bin"; `npm run herald -- …` from the repo).
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
