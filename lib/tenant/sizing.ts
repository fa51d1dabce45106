/**
 * How much CPU and memory a tenant environment asks for, from its Odoo settings.
 *
 * One function feeds the Deployments, the ResourceQuota and the placement capacity check, so the
 * numbers a reviewer sees in a manifest are the numbers placement reasoned about.
 * Memory follows Odoo's deployment guide: about 0.8×150 MB + 0.2×1 GB per worker, plus the master.
 */
import type { TenantEnvironment } from '../model/environment.ts';

export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

interface Footprint {
  readonly cpuMillis: number;
  readonly memoryMi: number;
}

const resources = (cpuMillis: number, memoryMi: number): Resources => ({
  requests: { cpu: `${cpuMillis}m`, memory: `${memoryMi}Mi` },
  limits: { cpu: `${cpuMillis * 2}m`, memory: `${Math.round(memoryMi * 1.5)}Mi` },
});

export function webFootprint(workers: number): Footprint {
  return { cpuMillis: 250 + 250 * workers, memoryMi: 512 + 320 * workers };
}

export function cronFootprint(cronThreads: number): Footprint {
  return { cpuMillis: 100 + 150 * cronThreads, memoryMi: 512 + 256 * cronThreads };
}

export function postgresFootprint(storage: string): Footprint {
  const gi = parseQuantityGi(storage);
  return gi >= 100 ? { cpuMillis: 2000, memoryMi: 8192 } : gi >= 40 ? { cpuMillis: 1000, memoryMi: 4096 } : { cpuMillis: 500, memoryMi: 2048 };
}

export function redisFootprint(memory: string): Footprint {
  return { cpuMillis: 100, memoryMi: Math.round(parseQuantityGi(memory) * 1024) };
}

export const webResources = (workers: number): Resources => {
  const f = webFootprint(workers);
  return resources(f.cpuMillis, f.memoryMi);
};
export const cronResources = (cronThreads: number): Resources => {
  const f = cronFootprint(cronThreads);
  return resources(f.cpuMillis, f.memoryMi);
};
export const postgresResources = (storage: string): Resources => {
  const f = postgresFootprint(storage);
  return { requests: { cpu: `${f.cpuMillis}m`, memory: `${f.memoryMi}Mi` }, limits: { cpu: `${f.cpuMillis * 2}m`, memory: `${f.memoryMi}Mi` } };
};
export const redisResources = (memory: string): Resources => {
  const f = redisFootprint(memory);
  return { requests: { cpu: `${f.cpuMillis}m`, memory: `${f.memoryMi}Mi` }, limits: { cpu: `${f.cpuMillis * 5}m`, memory: `${f.memoryMi}Mi` } };
};

/** Requests of the environment at its steady replica count: what placement charges a cluster. */
export function environmentRequests(env: Pick<TenantEnvironment, 'odoo' | 'database' | 'redis'>, dedicatedData: boolean): Footprint {
  const web = webFootprint(env.odoo.workers);
  const cron = cronFootprint(env.odoo.cronThreads);
  let cpu = web.cpuMillis * env.odoo.replicas + cron.cpuMillis;
  let mem = web.memoryMi * env.odoo.replicas + cron.memoryMi;
  if (dedicatedData) {
    const pg = postgresFootprint(env.database.storage);
    cpu += pg.cpuMillis * env.database.instances;
    mem += pg.memoryMi * env.database.instances;
    if (env.redis.enabled) {
      const r = redisFootprint(env.redis.memory);
      cpu += r.cpuMillis;
      mem += r.memoryMi;
    }
  }
  return { cpuMillis: cpu, memoryMi: mem };
}

/** Upper bound of the environment's requests and limits, for its ResourceQuota (web at max replicas). */
export function environmentQuota(env: Pick<TenantEnvironment, 'odoo' | 'database' | 'redis'>, dedicatedData: boolean): { requests: Footprint; limits: Footprint } {
  const atMax = { ...env, odoo: { ...env.odoo, replicas: env.odoo.maxReplicas } };
  const req = environmentRequests(atMax, dedicatedData);
  // Jobs (dumps, restore tests) run beside the workloads; leave them room.
  const requests = { cpuMillis: req.cpuMillis + 1000, memoryMi: req.memoryMi + 2048 };
  return { requests, limits: { cpuMillis: requests.cpuMillis * 2, memoryMi: Math.round(requests.memoryMi * 1.5) } };
}

export function parseQuantityGi(q: string): number {
  const m = /^([0-9.]+)(Ki|Mi|Gi|Ti)$/.exec(q);
  if (!m) throw new Error(`not a binary quantity: ${q}`);
  const n = Number(m[1]);
  return m[2] === 'Ti' ? n * 1024 : m[2] === 'Gi' ? n : m[2] === 'Mi' ? n / 1024 : n / (1024 * 1024);
}
