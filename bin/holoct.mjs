#!/usr/bin/env node
// Entry of the `holoct` command: runs the TypeScript CLI through tsx, so the CLI and the app share
// the very same source files (no second implementation, no build step). tsx is therefore a runtime
// dependency ("dependencies" in package.json, not "devDependencies"): `npm install --omit=dev` still
// gives a working `npx holoct`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
