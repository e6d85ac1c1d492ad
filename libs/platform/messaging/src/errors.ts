/** The message can never be processed as it is: it goes to the DLQ and is not retried. */
export class InvalidMessageError extends Error {
  constructor(
    message: string,
    readonly stage: DlqStage = 'handle',
  ) {
    super(message);
    this.name = 'InvalidMessageError';
  }
}

export type DlqStage = 'decode' | 'validate' | 'handle';
