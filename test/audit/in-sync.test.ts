import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InSyncRecorder, parseRecord, PolicyStamps, policiesKey, serializeRecord, stampOf, usableVerdicts } from '../../lib/audit/in-sync.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { readInSync, writeInSync } from '../../lib/io/in-sync-cache.ts';

const record = () => {
  const r = new InSyncRecorder();
  r.kind('apps/Deployment', 'digest-a', new Map([['apps/Deployment/tenant-a-prod/odoo', 'uid-1 41'], ['apps/Deployment/tenant-a-prod/cron', '']]));
  r.kind('/ConfigMap', 'digest-b', new Map([['/ConfigMap/tenant-a-prod/odoo', 'uid-2 7']]));
  r.policyFindings('key-1', [{ type: 'policy', resource: { apiVersion: 'v1', kind: 'Service', namespace: 'tenant-a-prod', name: 'lb' }, policy: { id: 'ingress/no-load-balancer', severity: 'error', message: 'm', fix: 'f' } }]);
  return r.record();
};

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('in-sync records', () => {
  it('read back what was written, byte for byte the same text whatever order the kinds came in', () => {
    const text = serializeRecord(record());
    expect(serializeRecord(parseRecord(text)!)).toBe(text);
    expect(parseRecord(text)!.kinds.get('apps/Deployment')!.stamps.get('apps/Deployment/tenant-a-prod/odoo')).toBe('uid-1 41');
  });

  it('give verdicts for a kind only against the desired objects they were reached with', () => {
    expect(usableVerdicts(record(), 'apps/Deployment', 'digest-a')?.size).toBe(2);
    expect(usableVerdicts(record(), 'apps/Deployment', 'digest-other')).toBeUndefined();
    expect(usableVerdicts(record(), 'apps/Deployment', undefined)).toBeUndefined();
    expect(usableVerdicts(record(), 'batch/CronJob', 'digest-a')).toBeUndefined();
  });

  it('stamp a live object by uid and resourceVersion, and nothing the server did not stamp', () => {
    expect(stampOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', uid: 'u', resourceVersion: '12' } })).toBe('u 12');
    expect(stampOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '12' } })).toBeUndefined();
  });

  it('key the policy findings by the inputs and the judged objects in any order', () => {
    expect(policiesKey('inputs', ['b 2', 'a 1'])).toBe(policiesKey('inputs', ['a 1', 'b 2']));
    expect(policiesKey('inputs', ['a 1', 'b 3'])).not.toBe(policiesKey('inputs', ['a 1', 'b 2']));
    expect(policiesKey('other', ['a 1'])).not.toBe(policiesKey('inputs', ['a 1']));
  });

  it('hash the policies\' objects kind by kind: kinds in any order give one key, another stamp or order within a kind another', () => {
    const cm = (name: string, resourceVersion?: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'tenant-a-prod', uid: `u-${name}`, ...(resourceVersion ? { resourceVersion } : {}) } });
    const key = (adds: Array<[string, KubeObject]>) => {
      const stamps = new PolicyStamps();
      for (const [kind, o] of adds) stamps.add(kind, `${kind}/tenant-a-prod/${o.metadata.name}`, o);
      return policiesKey('inputs', stamps.lines());
    };
    const same = key([['/ConfigMap', cm('a', '1')], ['/Service', cm('s', '3')], ['/ConfigMap', cm('b', '2')]]);
    expect(key([['/Service', cm('s', '3')], ['/ConfigMap', cm('a', '1')], ['/ConfigMap', cm('b', '2')]])).toBe(same);
    expect(key([['/ConfigMap', cm('a', '1')], ['/Service', cm('s', '3')], ['/ConfigMap', cm('b', '9')]])).not.toBe(same);
    expect(key([['/ConfigMap', cm('b', '2')], ['/Service', cm('s', '3')], ['/ConfigMap', cm('a', '1')]])).not.toBe(same);
    // Unstamped objects are hashed whole: any change to them is another key.
    const unstamped = { ...cm('a'), data: { x: '1' } } as KubeObject;
    expect(key([['/ConfigMap', unstamped]])).not.toBe(key([['/ConfigMap', { ...unstamped, data: { x: '2' } } as KubeObject]]));
  });

  it('are not read from a damaged or cut file, nor from another key', () => {
    dir = mkdtempSync(join(tmpdir(), 'tenantctl-in-sync-'));
    const at = { cluster: 'eu-central-1', key: 'k', dir };
    writeInSync(at, record());
    expect(readInSync(at)).toEqual(record());
    expect(readInSync({ ...at, key: 'other' })).toBeUndefined();
    const [file] = readdirSync(dir);
    const bytes = readFileSync(join(dir, file));
    writeFileSync(join(dir, file), bytes.subarray(0, bytes.length - 3));
    expect(readInSync(at)).toBeUndefined();
    const flipped = Buffer.from(bytes);
    flipped[bytes.length - 20] ^= 1;
    writeFileSync(join(dir, file), flipped);
    expect(readInSync(at)).toBeUndefined();
  });

  it('keep a few records per cluster, never pruning another cluster whose name starts alike', () => {
    dir = mkdtempSync(join(tmpdir(), 'tenantctl-in-sync-'));
    writeInSync({ cluster: 'eu-west', key: 'w', dir }, record());
    for (let k = 0; k < 6; k++) writeInSync({ cluster: 'eu', key: `k${k}`, dir }, record());
    expect(readInSync({ cluster: 'eu-west', key: 'w', dir })).toEqual(record());
    expect(readdirSync(dir).filter((f) => !f.startsWith('eu-west-'))).toHaveLength(4);
  });
});
