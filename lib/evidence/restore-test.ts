/**
 * Restore-test evidence: the newest run of the `restore-test` CronJob succeeded within its
 * interval plus a grace, and took no longer than the RTO. A failed run (its deadline is the RTO,
 * so `DeadlineExceeded` means too slow), a run that took too long, or no run when one was due is
 * a finding.
 *
 * Sources: the Jobs the CronJob made (ownerReference), their `status.startTime`,
 * `status.completionTime` and `status.conditions[type=Complete|Failed]`; the CronJob's
 * `status.lastSuccessfulTime` once the Job itself is gone (`ttlSecondsAfterFinished`).
 */
import type { KubeObject } from '../model/resource.ts';
import { condition, formatDuration, formatMinutes, ok, resourceOf, seconds, status, str, timed, violated, withoutEvidence, type CheckContext } from './context.ts';
import type { EvidenceCheck } from './types.ts';

const CRONJOB = 'restore-test';

function jobRef(ns: string, job: KubeObject, field: string) {
  return { resource: resourceOf('batch/v1', 'Job', ns, job.metadata.name), field };
}

export function restoreTest(ctx: CheckContext): EvidenceCheck {
  const ns = ctx.target.namespace;
  const t = ctx.target.thresholds;
  const rto = ctx.target.promises.rtoMinutes;
  const dueMinutes = t.restoreTestEveryDays * 1440 + t.restoreTestGraceHours * 60;
  const promise = `restore test passed within ${formatMinutes(dueMinutes)} (every ${t.restoreTestEveryDays} d + ${t.restoreTestGraceHours} h grace), took ≤ ${formatMinutes(rto)} (RTO)`;
  const cronJob = ctx.live.get('CronJob', ns, CRONJOB);
  const newest = ctx.live.jobsOf(ns, CRONJOB).find((j) => condition(j, 'Complete')?.status === 'True' || condition(j, 'Failed')?.status === 'True');
  const lastSuccess = str(status(cronJob).lastSuccessfulTime);

  if (newest && condition(newest, 'Failed')?.status === 'True') {
    const failed = condition(newest, 'Failed')!;
    const at = failed.lastTransitionTime ?? str(status(newest).startTime);
    const slow = failed.reason === 'DeadlineExceeded';
    const started = str(status(newest).startTime);
    return violated('restore-test', {
      promise,
      observed: `${newest.metadata.name} failed${failed.reason ? ` (${failed.reason})` : ''}${started && at ? ` after ${formatDuration(Date.parse(at) / 1000 - Date.parse(started) / 1000)}` : ''}`,
      source: jobRef(ns, newest, 'status.conditions[type=Failed]'), ...(at ? timed(at, ctx.now) : {}),
      message: slow
        ? `the newest restore test ${newest.metadata.name} did not finish within the RTO of ${formatMinutes(rto)} (its deadline)`
        : `the newest restore test ${newest.metadata.name} failed${failed.message ? `: ${failed.message}` : ''}`,
      fix: `read its log (kubectl logs -n ${ns} job/${newest.metadata.name}); the restore must pass before the RTO can be promised`,
    });
  }
  if (newest) {
    const s = status(newest);
    const started = str(s.startTime);
    const completed = str(s.completionTime) ?? condition(newest, 'Complete')?.lastTransitionTime;
    const source = jobRef(ns, newest, 'status.completionTime');
    if (completed) {
      const took = started ? seconds(started, new Date(completed)) : undefined;
      const observed = `${newest.metadata.name} passed at ${completed}${took !== undefined ? ` in ${formatDuration(took)}` : ''}`;
      if (took !== undefined && took > rto * 60) {
        return violated('restore-test', {
          promise, observed, source, ...timed(completed, ctx.now),
          message: `the newest restore test took ${formatDuration(took)}, longer than the RTO of ${formatMinutes(rto)}`,
          fix: 'make restores faster (smaller dump, faster storage, more CPU for the job) or promise a longer RTO',
        });
      }
      return judgeAge(ctx, promise, observed, source, completed, dueMinutes);
    }
  }
  if (lastSuccess) {
    return judgeAge(ctx, promise, `passed at ${lastSuccess} (the Job is gone; duration unknown)`, { resource: resourceOf('batch/v1', 'CronJob', ns, CRONJOB), field: 'status.lastSuccessfulTime' }, lastSuccess, dueMinutes);
  }
  return withoutEvidence(ctx, 'restore-test', cronJob, dueMinutes, {
    promise, observed: 'never ran', source: { resource: resourceOf('batch/v1', 'CronJob', ns, CRONJOB), field: 'status.lastSuccessfulTime' },
    fix: `run it now (kubectl create job -n ${ns} --from=cronjob/${CRONJOB} ${CRONJOB}-manual) and check why the schedule did not`,
  });
}

function judgeAge(ctx: CheckContext, promise: string, observed: string, source: EvidenceCheck['source'], at: string, dueMinutes: number): EvidenceCheck {
  const age = seconds(at, ctx.now);
  if (age > dueMinutes * 60) {
    return violated('restore-test', {
      promise, observed, source, ...timed(at, ctx.now),
      message: `the newest passed restore test is ${formatDuration(age)} old, more than ${formatMinutes(dueMinutes)}`,
      fix: `check that the restore-test CronJob is not suspended and runs: kubectl get jobs -n ${ctx.target.namespace}`,
    });
  }
  return ok('restore-test', { promise, observed, source, ...timed(at, ctx.now) });
}
