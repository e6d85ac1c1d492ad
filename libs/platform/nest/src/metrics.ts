import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ConsumerObserver, DlqStage, Outcome } from '@clonecast/platform/messaging';

/** Prometheus metrics of one service (served on /metrics). */
@Injectable()
export class ServiceMetrics implements ConsumerObserver {
  readonly registry = new Registry();
  private readonly processed: Counter<'service' | 'topic' | 'outcome'>;
  private readonly handling: Histogram<'service' | 'topic'>;
  private readonly deadLetters: Counter<'service' | 'topic' | 'stage'>;

  constructor(private readonly service: string) {
    collectDefaultMetrics({ register: this.registry });
    this.processed = new Counter({
      name: 'clonecast_messages_processed_total',
      help: 'Messages consumed, by outcome (processed, duplicate, dead-lettered)',
      labelNames: ['service', 'topic', 'outcome'],
      registers: [this.registry],
    });
    this.handling = new Histogram({
      name: 'clonecast_message_handling_seconds',
      help: 'Time from receipt to committed transaction, per message',
      labelNames: ['service', 'topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.deadLetters = new Counter({
      name: 'clonecast_dlq_messages_total',
      help: 'Messages sent to a dead-letter topic, by stage',
      labelNames: ['service', 'topic', 'stage'],
      registers: [this.registry],
    });
  }

  onOutcome(topic: string, outcome: Outcome, seconds: number): void {
    this.processed.inc({ service: this.service, topic, outcome });
    this.handling.observe({ service: this.service, topic }, seconds);
  }

  onDeadLetter(topic: string, stage: DlqStage): void {
    this.deadLetters.inc({ service: this.service, topic, stage });
  }
}
