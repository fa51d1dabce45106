#!/usr/bin/env node
// Entry point for `npx tenantctl`: registers the TypeScript loader (tenant files are .ts),
// then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
