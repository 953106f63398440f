#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so the package needs no separate build step for the API.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../api/cli.ts');
main(process.argv.slice(2));
