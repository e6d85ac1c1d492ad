import type { AccountConfig } from '@clonecast/contracts';
import {
  ConfigVersionConflictError,
  ConfigVersionNotFoundError,
  InvalidConfigVersionError,
  InvalidInstantError,
  NoConfigurationError,
} from './errors';

/**
 * Every known version of every account's configuration, in memory. Recording is idempotent so the
 * compacted account.config topic can be replayed into it; stored and returned values are copies.
 */
export class ConfigurationHistory {
  private readonly byAccount = new Map<string, Map<number, AccountConfig>>();

  /**
   * Records one version. Returns true if it was new, false if the identical version was already
   * known; throws ConfigVersionConflictError if that version is known with different contents.
   */
  record(config: AccountConfig): boolean {
    assertVersion(config.accountId, config.version);
    let versions = this.byAccount.get(config.accountId);
    const existing = versions?.get(config.version);
    if (existing !== undefined) {
      if (!sameVersion(existing, config)) throw new ConfigVersionConflictError(config.accountId, config.version);
      return false;
    }
    if (versions === undefined) {
      versions = new Map();
      this.byAccount.set(config.accountId, versions);
    }
    versions.set(config.version, structuredClone(config));
    return true;
  }

  /** The highest version of the account, or undefined if it has none. */
  latest(accountId: string): AccountConfig | undefined {
    const newest = this.versions(accountId).at(-1);
    return newest === undefined ? undefined : this.get(accountId, newest);
  }

  get(accountId: string, version: number): AccountConfig | undefined {
    const config = this.byAccount.get(accountId)?.get(version);
    return config === undefined ? undefined : structuredClone(config);
  }

  /** Recorded version numbers of the account, ascending. */
  versions(accountId: string): number[] {
    return [...(this.byAccount.get(accountId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** The version number the account's next configuration gets: one above the highest, or 1. */
  nextVersion(accountId: string): number {
    return (this.versions(accountId).at(-1) ?? 0) + 1;
  }

  /** Accounts with at least one recorded version, sorted. */
  accounts(): string[] {
    return [...this.byAccount.keys()].sort();
  }
}

/**
 * The configuration that restores `sourceAccountId` (at `requestedVersion`, else its latest version)
 * onto `targetAccountId` as the target's next version. Pure: the caller records and publishes it.
 */
export function planRestore(
  history: ConfigurationHistory,
  sourceAccountId: string,
  targetAccountId: string,
  requestedVersion: number | undefined,
  now: Date | string,
): AccountConfig {
  if (requestedVersion !== undefined) assertVersion(sourceAccountId, requestedVersion);
  const source =
    requestedVersion === undefined
      ? history.latest(sourceAccountId)
      : history.get(sourceAccountId, requestedVersion);
  if (source === undefined) {
    const available = history.versions(sourceAccountId);
    if (available.length === 0 || requestedVersion === undefined) throw new NoConfigurationError(sourceAccountId);
    throw new ConfigVersionNotFoundError(sourceAccountId, requestedVersion, available);
  }
  return {
    accountId: targetAccountId,
    version: history.nextVersion(targetAccountId),
    createdAt: toInstant(now),
    restoredFrom: { accountId: sourceAccountId, version: source.version },
    config: source.config,
  };
}

function assertVersion(accountId: string, version: number): void {
  if (!Number.isInteger(version) || version < 1) throw new InvalidConfigVersionError(accountId, version);
}

function toInstant(now: Date | string): string {
  const ms = typeof now === 'string' ? Date.parse(now) : now.getTime();
  if (Number.isNaN(ms)) throw new InvalidInstantError('now', String(now));
  return new Date(ms).toISOString();
}

/** Same contents: creation instant compared as a time, everything else as key-order-insensitive JSON. */
function sameVersion(a: AccountConfig, b: AccountConfig): boolean {
  return (
    Date.parse(a.createdAt) === Date.parse(b.createdAt) &&
    canonicalJson(a.restoredFrom ?? null) === canonicalJson(b.restoredFrom ?? null) &&
    canonicalJson(a.config) === canonicalJson(b.config)
  );
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
