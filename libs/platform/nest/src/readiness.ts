import { Injectable } from '@nestjs/common';

/** Named readiness checks; /health is ready only when all are. */
@Injectable()
export class Readiness {
  private readonly checks = new Map<string, () => boolean>();

  register(name: string, check: () => boolean): void {
    this.checks.set(name, check);
  }

  report(): { ready: boolean; checks: Record<string, boolean> } {
    const checks = Object.fromEntries([...this.checks].map(([name, check]) => [name, check()]));
    const values = Object.values(checks);
    return { ready: values.length > 0 && values.every(Boolean), checks };
  }
}
