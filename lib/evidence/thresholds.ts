/**
 * How much slack the evidence checks give before a promise counts as broken. Each tier may
 * override any of them (`evidence` in tiers/<tier>.ts); the rest come from here.
 */
export interface EvidenceThresholds {
  /** A certificate expiring within this many days is a finding (cert-manager renews 15 days ahead). @default 14 */
  readonly certificateMinDays: number;
  /** Time a scheduled backup may take beyond its interval before it counts as stale. @default 30 */
  readonly backupGraceMinutes: number;
  /** Interval of the Barman Cloud base backups (the generated ScheduledBackups run daily). @default 24 */
  readonly baseBackupEveryHours: number;
  /** Interval of the restore test (the generated CronJob runs weekly). @default 7 */
  readonly restoreTestEveryDays: number;
  /** Time past the interval before a missing restore test is a finding. @default 24 */
  readonly restoreTestGraceHours: number;
  /** How far the first recoverability point may fall short of the retention. @default 1 */
  readonly retentionToleranceDays: number;
  /**
   * Time an object may exist without any status before that is a finding rather than "no
   * evidence yet" (an operator that never reconciles it). @default 60
   */
  readonly firstStatusGraceMinutes: number;
}

export const DEFAULT_EVIDENCE_THRESHOLDS: EvidenceThresholds = {
  certificateMinDays: 14,
  backupGraceMinutes: 30,
  baseBackupEveryHours: 24,
  restoreTestEveryDays: 7,
  restoreTestGraceHours: 24,
  retentionToleranceDays: 1,
  firstStatusGraceMinutes: 60,
};

/** The defaults with a tier's overrides on top. */
export function evidenceThresholds(overrides?: Partial<EvidenceThresholds>): EvidenceThresholds {
  return { ...DEFAULT_EVIDENCE_THRESHOLDS, ...overrides };
}
