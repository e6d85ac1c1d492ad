import { DomainError } from '@clonecast/contracts';

/** The shared base of domain errors (its `code` travels in clone.failed), re-exported for this library's callers. */
export { DomainError };

/** The same account configuration version was recorded twice with different contents. */
export class ConfigVersionConflictError extends DomainError {
  readonly code = 'CONFIG_VERSION_CONFLICT';

  constructor(
    readonly accountId: string,
    readonly version: number,
  ) {
    super(`account ${accountId} already has a different configuration recorded as version ${version}`);
  }
}

/** A configuration version was asked for that the account does not have. */
export class ConfigVersionNotFoundError extends DomainError {
  readonly code = 'CONFIG_VERSION_NOT_FOUND';

  constructor(
    readonly accountId: string,
    readonly version: number,
    readonly available: readonly number[],
  ) {
    super(`account ${accountId} has no configuration version ${version} (available: ${available.join(', ')})`);
  }
}

/** The account has no recorded configuration at all. */
export class NoConfigurationError extends DomainError {
  readonly code = 'NO_CONFIGURATION';

  constructor(readonly accountId: string) {
    super(`account ${accountId} has no recorded configuration to restore`);
  }
}

/** A version number that cannot exist: versions are integers from 1. */
export class InvalidConfigVersionError extends DomainError {
  readonly code = 'INVALID_CONFIG_VERSION';

  constructor(
    readonly accountId: string,
    readonly version: number,
  ) {
    super(`configuration version ${version} for account ${accountId} is not an integer >= 1`);
  }
}

/** A time that is not a valid instant. */
export class InvalidInstantError extends DomainError {
  readonly code = 'INVALID_INSTANT';

  constructor(
    readonly field: string,
    readonly value: string,
  ) {
    super(`${field} "${value}" is not a valid ISO-8601 instant`);
  }
}

/** An event was applied to the saga of another request. */
export class SagaRequestMismatchError extends DomainError {
  readonly code = 'SAGA_REQUEST_MISMATCH';

  constructor(
    readonly sagaRequestId: string,
    readonly eventRequestId: string,
  ) {
    super(`event for request ${eventRequestId} cannot be applied to the saga of request ${sagaRequestId}`);
  }
}
