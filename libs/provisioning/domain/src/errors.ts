import { DomainError } from '@clonecast/contracts';

/** Base of every provisioning failure; `code` is what a clone.failed event carries. */
export abstract class ProvisioningError extends DomainError {}

export class NoActiveAllocationsError extends ProvisioningError {
  readonly code = 'NO_ACTIVE_ALLOCATIONS';

  constructor(readonly targetAccountId: string, readonly activationAt: string) {
    super(`no allocation for ${targetAccountId} is still running at activation ${activationAt}`);
  }
}

export class UnknownInstanceGroupError extends ProvisioningError {
  readonly code = 'UNKNOWN_INSTANCE_GROUP';

  constructor(readonly groupName: string) {
    super(`the infrastructure plan has no instance group named "${groupName}"`);
  }
}

export class InvalidGroupSizeError extends ProvisioningError {
  readonly code = 'INVALID_GROUP_SIZE';

  constructor(readonly groupName: string, readonly size: number) {
    super(`instance group "${groupName}" cannot have size ${size}: sizes are whole numbers >= 0`);
  }
}

export class InvalidLeadTimeError extends ProvisioningError {
  readonly code = 'INVALID_LEAD_TIME';

  constructor(readonly leadTimeMinutes: number) {
    super(`lead time must be a finite number of minutes >= 0, got ${leadTimeMinutes}`);
  }
}
