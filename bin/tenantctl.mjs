#!/usr/bin/env node
// Entry point for `npx tenantctl`: loads the CLI as plain JavaScript from its bundle in the user
// cache (built on first run, and again whenever lib/, tiers/ or the lock file change: cli-bundle.mjs),
// then hands over to it. The packages it loads are compiled with V8's cached code (code-cache.mjs).
// A synth first scans generated/, on a worker thread and this one, and is answered here, without
// loading the CLI, when nothing changed (early-scan.mjs); otherwise the CLI takes over the scan.
import { answerSynth } from './early-scan.mjs';
import { cacheRoot, loadCli, PACKAGE_ROOT, sourceDigests } from './cli-bundle.mjs';

const argv = process.argv.slice(2);
let digests;
const sources = () => (digests ??= sourceDigests(PACKAGE_ROOT));
const answer = process.env.TENANTCTL_NO_BUNDLE === '1' ? undefined : await answerSynth(argv, () => sources().key);
if (answer !== undefined) {
  // Ends here, once the line is out: what is left (the scan's worker, a collection V8 would finish
  // at exit) is work for nothing.
  process.stdout.write(`${answer}\n`, () => process.exit(0));
} else {
  const { installCodeCache } = await import('./code-cache.mjs');
  installCodeCache(cacheRoot());
  const { main } = await loadCli(PACKAGE_ROOT, digests);
  process.exitCode = await main(argv);
}
