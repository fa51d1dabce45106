#!/usr/bin/env node
// Entry point for `npx tenantctl`: loads the CLI as plain JavaScript from its bundle in the user
// cache (built on first run, and again whenever lib/, tiers/ or the lock file change: cli-bundle.mjs),
// then hands over to it.
import { loadCli } from './cli-bundle.mjs';

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
