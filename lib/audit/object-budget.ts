/**
 * How many clusters the audit compares at once, by their size: a cluster is admitted while the
 * desired objects of the clusters being compared, its own included, stay within a budget (one
 * cluster is always admitted, however large). A fixed number of clusters cannot be right for
 * both ends of a fleet: 4 clusters of 14,000 objects (1,000 tenants) fit in memory at once and
 * finish sooner together, as listing them all at once keeps every API server busy, while 2 of
 * 53,000 (3,000 tenants) do not fit in the 768 MB the audit is allowed (887 MB measured). What a cluster
 * holds while it is compared grows with its objects (the slim copies the live policies judge at
 * the end, the in-sync verdicts, the pages in flight), so objects are the unit of the budget.
 * An object that is parsed and compared (its kind has no in-sync verdicts of the last audit: the
 * first audit, `--no-cache`, a changed commit) holds its desired copy and the comparison's
 * garbage too, and counts twice (auditCluster): with nothing in sync, the 1,000-tenant fleet's
 * clusters are then compared two at a time, the 3,000-tenant fleet's one at a time.
 */

/**
 * Desired objects compared at once. Measured on the benchmark's fleets (scripts/bench-audit.ts):
 * a nightly audit holds ~3–4 KB per object of the clusters in flight over ~250 MB of start-up,
 * workspace and client. The 1,000-tenant fleet (55,188 objects) is compared whole at once (465 MB
 * at a budget of 100,000). At 100,000 the 3,000-tenant fleet ran clusters of 53,048 + 34,213
 * objects together and peaked at 797 MB, over its 768; at 60,000 its two largest clusters (53,048
 * and 52,925) are compared alone and only its two smallest together (34,213 + 25,202 = 59,415),
 * less than any pair 2 clusters at a time could hold, while the 1,000-tenant fleet is still
 * compared whole. The 1,000-tenant fleet compared whole with nothing in sync peaked at 525 MB:
 * hence the double weight.
 */
export const OBJECTS_AT_ONCE = 60_000;

/** Work begun (ObjectBudget.begin): admitted through `admit` once its weight is known; `end` when it ends, however it ends. */
export interface BudgetTicket {
  admit(weight: number): Promise<() => void>;
  end(): void;
}

/** Admits work by weight, first come first served, while the admitted weights sum to at most `budget`. */
export class ObjectBudget {
  private inFlight = 0;
  private running = 0;
  /** Work begun and not admitted yet (its weight unknown, or waiting for room). */
  private begun = 0;
  /** Of that, work begun without an estimate: nothing else begins while it starts. */
  private begunUnknown = 0;
  /** The estimates of the work begun and not admitted yet. */
  private estimated = 0;
  private readonly waiting: Array<{ readonly weight: number; readonly go: () => void }> = [];
  private readonly toBegin: Array<{ readonly estimate?: number; readonly go: () => void }> = [];

  constructor(private readonly budget: number = OBJECTS_AT_ONCE) {}

  /**
   * Resolves once new work may begin. A cluster learns its weight only by starting (discovery,
   * the namespaces, its desired state and in-sync record, held from then on), so clusters begun
   * all at once would all hold that while they wait for the budget: measured at 3,000 tenants, 3
   * clusters waiting so raised the nightly audit's peak from 573 to 742–844 MB. Work whose weight
   * is not known before (`estimate` undefined) therefore begins alone: once no other work is
   * begun and not admitted and the budget has room. Work with an `estimate` (a cluster's desired
   * objects in the cache, fleet.ts) begins as soon as its estimate fits beside the admitted
   * weights and the other estimates (or nothing else is begun or runs), unless work of unknown
   * weight is starting: a small fleet then begins all its clusters at once, a large one one at a
   * time. Admission (`admit`) weighs the real weight, which replaces the estimate.
   */
  async begin(estimate?: number): Promise<BudgetTicket> {
    if (estimate !== undefined && !(Number.isFinite(estimate) && estimate >= 0)) estimate = undefined;
    if (!this.toBegin.length && this.mayBegin(estimate)) this.enter(estimate);
    else await new Promise<void>((go) => this.toBegin.push({ estimate, go })); // entered by wake()
    let admitted = false;
    let ended = false;
    let release: (() => void) | undefined;
    const leaveBegun = () => {
      if (admitted) return;
      admitted = true;
      this.begun--;
      if (estimate === undefined) this.begunUnknown--;
      else this.estimated -= estimate;
      this.wake();
    };
    return {
      admit: async (weight) => {
        release = await this.admit(weight);
        leaveBegun();
        return release;
      },
      end: () => {
        if (ended) return;
        ended = true;
        leaveBegun();
        release?.();
      },
    };
  }

  private mayBegin(estimate: number | undefined): boolean {
    if (this.begunUnknown || this.waiting.length) return false;
    if (estimate === undefined) return this.begun === 0 && (this.running === 0 || this.inFlight < this.budget);
    return (this.running === 0 && this.begun === 0) || this.inFlight + this.estimated + estimate <= this.budget;
  }

  private enter(estimate: number | undefined): void {
    this.begun++;
    if (estimate === undefined) this.begunUnknown++;
    else this.estimated += estimate;
  }

  private wake(): void {
    while (this.toBegin.length && this.mayBegin(this.toBegin[0].estimate)) {
      const next = this.toBegin.shift()!;
      this.enter(next.estimate);
      next.go();
    }
  }

  /** Resolves once `weight` fits (or nothing else runs); call the returned function when done. */
  async admit(weight: number): Promise<() => void> {
    if (!this.waiting.length && this.fits(weight)) return this.take(weight);
    return new Promise((resolve) => this.waiting.push({ weight, go: () => resolve(this.take(weight)) }));
  }

  private fits(weight: number): boolean {
    return this.running === 0 || this.inFlight + weight <= this.budget;
  }

  private take(weight: number): () => void {
    this.inFlight += weight;
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= weight;
      this.running--;
      while (this.waiting.length && this.fits(this.waiting[0].weight)) this.waiting.shift()!.go();
      this.wake();
    };
  }
}
