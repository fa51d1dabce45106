#!/usr/bin/env node
// Entry point for `npx tenantctl`: loads the CLI as plain JavaScript from its bundle in the user
// cache (built on first run, and again whenever lib/, tiers/ or the lock file change: cli-bundle.mjs),
// then hands over to it. The packages it loads are compiled with V8's cached code (code-cache.mjs).
// A synth's scan of generated/ starts first, on a worker thread, while the CLI loads (early-scan.mjs).
import { startEarlyScan } from './early-scan.mjs';
import { cacheRoot, loadCli } from './cli-bundle.mjs';
import { installCodeCache } from './code-cache.mjs';

startEarlyScan(process.argv.slice(2));
installCodeCache(cacheRoot());
const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
