import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { topicKeyFields } from './asyncapi';
import { allTopics, topics, type TopicDescriptor, type TopicKey } from './topics';

// Golden fixtures: libs/contracts/fixtures/<topic name>/{ok,not-ok}/*.json, each a full envelope.
const FIXTURES = path.join(__dirname, '..', 'fixtures');
type Kind = 'ok' | 'not-ok';

function fixtureFiles(topic: TopicDescriptor, kind: Kind): string[] {
  const dir = path.join(FIXTURES, topic.name, kind);
  return existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.json')).sort() : [];
}

function readFixture(topic: TopicDescriptor, kind: Kind, file: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURES, topic.name, kind, file), 'utf8'));
}

function okData(topic: TopicDescriptor, file: string): unknown {
  return topic.envelope.parse(readFixture(topic, 'ok', file)).data;
}

function valueAt(data: unknown, fieldPath: string): unknown {
  return fieldPath
    .split('.')
    .reduce<unknown>((value, field) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined), data);
}

const byKey = Object.entries(topics) as [TopicKey, TopicDescriptor][];

describe('golden fixtures', () => {
  it('exist for every topic, both ok and not-ok', () => {
    const missing = allTopics.flatMap((topic) =>
      (['ok', 'not-ok'] as const).filter((kind) => fixtureFiles(topic, kind).length === 0).map((kind) => `${topic.name}/${kind}`),
    );
    expect(missing).toEqual([]);
  });

  it('are only filed under known topics', () => {
    const names = new Set<string>(allTopics.map((topic) => topic.name));
    expect(readdirSync(FIXTURES).filter((dir) => !names.has(dir))).toEqual([]);
  });

  describe.each(byKey.map(([key, topic]) => [topic.name, key, topic] as const))('%s', (_name, key, topic) => {
    const ok = fixtureFiles(topic, 'ok');
    const notOk = fixtureFiles(topic, 'not-ok');

    // it.each refuses an empty table; the "exist for every topic" test reports the gap instead.
    if (ok.length > 0) {
      it.each(ok)('accepts ok/%s', (file) => {
        const result = topic.envelope.safeParse(readFixture(topic, 'ok', file));
        expect(result.error?.issues ?? []).toEqual([]);
      });

      it.each(ok)('keys ok/%s by its documented key fields', (file) => {
        const data = okData(topic, file);
        const expected = topicKeyFields[key].map((field) => String(valueAt(data, field))).join('/');
        expect(topic.key(data)).toBe(expected);
        expect(expected).not.toMatch(/(^|\/)(undefined|null|)(\/|$)/);
      });
    }

    if (notOk.length > 0) {
      // Exactly one issue: each file is broken in the one way its name says, so it cannot pass by accident.
      it.each(notOk)('rejects not-ok/%s with exactly one issue', (file) => {
        const result = topic.envelope.safeParse(readFixture(topic, 'not-ok', file));
        expect(result.success).toBe(false);
        expect(result.error?.issues).toHaveLength(1);
      });
    }
  });

  it('keys clone requests by target account and configurations by account/version', () => {
    const request = topics.cloneRequested;
    const config = topics.accountConfig;
    expect(request.key(request.schema.parse(okData(request, 'black-friday-clone.json')))).toBe('shop-prod-bf-2025');
    expect(config.key(config.schema.parse(okData(config, 'source-version.json')))).toBe('shop-prod/7');
    expect(config.key(config.schema.parse(okData(config, 'restored-on-clone.json')))).toBe('shop-prod-bf-2025/1');
  });
});
