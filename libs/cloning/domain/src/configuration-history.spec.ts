import type { AccountConfig } from '@clonecast/contracts';
import { ConfigurationHistory, planRestore } from './configuration-history';
import {
  ConfigVersionConflictError,
  ConfigVersionNotFoundError,
  InvalidConfigVersionError,
  InvalidInstantError,
  NoConfigurationError,
} from './errors';

function config(accountId: string, version: number, settings: AccountConfig['config']['settings'] = {}): AccountConfig {
  return {
    accountId,
    version,
    createdAt: `2024-06-0${version}T12:00:00Z`,
    config: { storageCapacityGiB: 100 * version, settings },
  };
}

function historyWith(...configs: AccountConfig[]): ConfigurationHistory {
  const history = new ConfigurationHistory();
  configs.forEach((c) => history.record(c));
  return history;
}

describe('ConfigurationHistory', () => {
  it('records versions and answers latest, get and versions', () => {
    const history = historyWith(config('shop-prod', 1), config('shop-prod', 2, { tier: 'gold' }));

    expect(history.versions('shop-prod')).toEqual([1, 2]);
    expect(history.latest('shop-prod')).toEqual(config('shop-prod', 2, { tier: 'gold' }));
    expect(history.get('shop-prod', 1)).toEqual(config('shop-prod', 1));
    expect(history.accounts()).toEqual(['shop-prod']);
  });

  it('knows nothing about an unknown account', () => {
    const history = new ConfigurationHistory();

    expect(history.latest('nobody')).toBeUndefined();
    expect(history.get('nobody', 1)).toBeUndefined();
    expect(history.versions('nobody')).toEqual([]);
    expect(history.nextVersion('nobody')).toBe(1);
  });

  it('keeps one copy when the same version is recorded twice', () => {
    const history = new ConfigurationHistory();

    expect(history.record(config('shop-prod', 1, { a: 1 }))).toBe(true);
    expect(history.record(config('shop-prod', 1, { a: 1 }))).toBe(false);
    expect(history.versions('shop-prod')).toEqual([1]);
  });

  it('treats key order and instant spelling as the same payload', () => {
    const history = historyWith(config('shop-prod', 1, { a: 1, b: { c: [1, 2] } }));
    const respelled: AccountConfig = {
      config: { settings: { b: { c: [1, 2] }, a: 1 }, storageCapacityGiB: 100 },
      createdAt: '2024-06-01T14:00:00.000+02:00',
      version: 1,
      accountId: 'shop-prod',
    };

    expect(history.record(respelled)).toBe(false);
  });

  it('refuses a different payload for an existing version', () => {
    const history = historyWith(config('shop-prod', 1, { tier: 'gold' }));

    const record = () => history.record(config('shop-prod', 1, { tier: 'silver' }));

    expect(record).toThrow(ConfigVersionConflictError);
    expect(record).toThrow(expect.objectContaining({ code: 'CONFIG_VERSION_CONFLICT' }));
    expect(record).toThrow('account shop-prod already has a different configuration recorded as version 1');
    expect(history.latest('shop-prod')?.config.settings).toEqual({ tier: 'gold' });
  });

  it('orders versions recorded out of order and numbers the next one above the highest', () => {
    const history = historyWith(config('shop-prod', 3), config('shop-prod', 1));

    expect(history.versions('shop-prod')).toEqual([1, 3]);
    expect(history.latest('shop-prod')?.version).toBe(3);
    expect(history.nextVersion('shop-prod')).toBe(4);
  });

  it('is not changed by mutating what was recorded or returned', () => {
    const recorded = config('shop-prod', 1, { tier: 'gold' });
    const history = historyWith(recorded);

    recorded.config.settings['tier'] = 'changed';
    const returned = history.get('shop-prod', 1) as AccountConfig;
    returned.config.settings['tier'] = 'changed too';

    expect(history.get('shop-prod', 1)?.config.settings).toEqual({ tier: 'gold' });
  });

  it('rejects a version that is not an integer from 1', () => {
    expect(() => new ConfigurationHistory().record(config('shop-prod', 0))).toThrow(InvalidConfigVersionError);
  });
});

describe('planRestore', () => {
  const now = new Date('2024-07-01T08:30:00Z');

  it("restores the source's latest version as the target's first", () => {
    const history = historyWith(config('shop-prod', 1), config('shop-prod', 2, { tier: 'gold' }));

    expect(planRestore(history, 'shop-prod', 'shop-clone', undefined, now)).toEqual({
      accountId: 'shop-clone',
      version: 1,
      createdAt: '2024-07-01T08:30:00.000Z',
      restoredFrom: { accountId: 'shop-prod', version: 2 },
      config: { storageCapacityGiB: 200, settings: { tier: 'gold' } },
    });
  });

  it('restores a requested older version', () => {
    const history = historyWith(config('shop-prod', 1, { tier: 'bronze' }), config('shop-prod', 2));

    const restored = planRestore(history, 'shop-prod', 'shop-clone', 1, now);

    expect(restored.restoredFrom).toEqual({ accountId: 'shop-prod', version: 1 });
    expect(restored.config.settings).toEqual({ tier: 'bronze' });
  });

  it("numbers the restored version after the target's existing versions", () => {
    const history = historyWith(config('shop-prod', 1), config('shop-clone', 1), config('shop-clone', 2));

    expect(planRestore(history, 'shop-prod', 'shop-clone', undefined, now).version).toBe(3);
  });

  it('produces a version the history can record', () => {
    const history = historyWith(config('shop-prod', 1));
    const restored = planRestore(history, 'shop-prod', 'shop-clone', undefined, '2024-07-01T08:30:00Z');

    history.record(restored);

    expect(history.latest('shop-clone')).toEqual(restored);
  });

  it('does not change the history', () => {
    const history = historyWith(config('shop-prod', 1));

    planRestore(history, 'shop-prod', 'shop-clone', undefined, now);

    expect(history.versions('shop-clone')).toEqual([]);
  });

  it('names the missing version and the available ones', () => {
    const history = historyWith(config('shop-prod', 1), config('shop-prod', 2));

    const restore = () => planRestore(history, 'shop-prod', 'shop-clone', 7, now);

    expect(restore).toThrow(ConfigVersionNotFoundError);
    expect(restore).toThrow(expect.objectContaining({ code: 'CONFIG_VERSION_NOT_FOUND' }));
    expect(restore).toThrow('account shop-prod has no configuration version 7 (available: 1, 2)');
  });

  it('fails with NO_CONFIGURATION when the source has no configuration', () => {
    const restore = () => planRestore(new ConfigurationHistory(), 'shop-prod', 'shop-clone', undefined, now);

    expect(restore).toThrow(NoConfigurationError);
    expect(restore).toThrow(expect.objectContaining({ code: 'NO_CONFIGURATION' }));
    expect(restore).toThrow('account shop-prod has no recorded configuration to restore');
  });

  it('fails with NO_CONFIGURATION rather than a missing version when a version is requested of an empty account', () => {
    const restore = () => planRestore(new ConfigurationHistory(), 'shop-prod', 'shop-clone', 2, now);

    expect(restore).toThrow(expect.objectContaining({ code: 'NO_CONFIGURATION' }));
  });

  it('rejects an invalid clock reading', () => {
    const history = historyWith(config('shop-prod', 1));

    expect(() => planRestore(history, 'shop-prod', 'shop-clone', undefined, 'later')).toThrow(InvalidInstantError);
  });
});
