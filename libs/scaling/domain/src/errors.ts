import { DomainError } from '@clonecast/contracts';

/** The shared base of domain errors (its `code` travels in clone.failed), re-exported for this library's callers. */
export { DomainError };

/** A control policy that cannot drive a sane control loop. */
export class InvalidScalingPolicyError extends DomainError {
  readonly code = 'INVALID_SCALING_POLICY';
}

/** An instance group with an impossible size or shape. */
export class InvalidInstanceGroupError extends DomainError {
  readonly code = 'INVALID_INSTANCE_GROUP';
}

/** An observation or lookup time that is not an ISO-8601 instant. */
export class InvalidInstantError extends DomainError {
  readonly code = 'INVALID_INSTANT';

  constructor(
    readonly field: string,
    readonly value: string,
  ) {
    super(`${field} "${value}" is not an ISO-8601 instant`);
  }
}
