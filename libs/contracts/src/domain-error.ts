/**
 * Base of every domain error in clonecast: `code` is machine-readable and is what a clone.failed event
 * carries. Each domain library names its own subclasses; services catch this one base.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
