import type { TopicDescriptor } from '@clonecast/contracts';

/** Resolves logical topic names to broker topic names (an optional prefix per environment or test run). */
export class TopicNames {
  constructor(readonly prefix = '') {}

  of(topic: TopicDescriptor): string {
    return this.prefix + topic.name;
  }

  dlqOf(topic: TopicDescriptor): string {
    return this.prefix + topic.dlq;
  }

  processedOf(groupId: string): string {
    return `${this.prefix}clonecast.${groupId}.processed`;
  }
}
