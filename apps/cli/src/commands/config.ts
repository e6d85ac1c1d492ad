import type { Command } from 'commander';
import { accountConfigurationSchema, accountIdSchema, topics, type AccountConfig } from '@clonecast/contracts';
import { replayTopics } from '@clonecast/platform/messaging';
import { UsageError } from '../cli-error';
import { kafkaContext, withPublisher, type KafkaContext } from '../kafka';
import { printJson, readJson } from '../io';

async function versionsOf(ctx: KafkaContext, accountId: string): Promise<AccountConfig[]> {
  const versions = new Map<number, AccountConfig>();
  await replayTopics(ctx.kafka, [ctx.names.of(topics.accountConfig)], ({ message }) => {
    if (!message.value) return;
    const parsed = topics.accountConfig.envelope.safeParse(JSON.parse(message.value.toString('utf8')));
    if (parsed.success && parsed.data.data.accountId === accountId) versions.set(parsed.data.data.version, parsed.data.data);
  });
  return [...versions.values()].sort((a, b) => a.version - b.version);
}

function accountArgument(value: string): string {
  if (!accountIdSchema.safeParse(value).success) throw new UsageError(`--account "${value}" is not a valid account id`);
  return value;
}

export function registerConfig(program: Command): void {
  const config = program.command('config').description('versioned account configuration (account.config.v1)');
  config
    .command('put')
    .description("publish a new version of an account's configuration")
    .requiredOption('--account <id>', 'account id', accountArgument)
    .requiredOption('--file <file>', 'AccountConfiguration JSON {storageCapacityGiB?, settings}')
    .option('--json', 'print one JSON document', false)
    .action(async (options: { account: string; file: string; json: boolean }) => {
      const body = readJson(options.file, accountConfigurationSchema, 'configuration');
      const ctx = kafkaContext();
      const existing = await versionsOf(ctx, options.account);
      const data: AccountConfig = { accountId: options.account, version: (existing.at(-1)?.version ?? 0) + 1, createdAt: new Date().toISOString(), config: body };
      await withPublisher(ctx, (p) => p.publish(topics.accountConfig, data, { requestId: `config-${options.account}-${data.version}` }));
      if (options.json) printJson(data);
      else process.stdout.write(`${options.account}: configuration version ${data.version} published\n`);
    });
  config
    .command('list')
    .description("list an account's configuration versions")
    .requiredOption('--account <id>', 'account id', accountArgument)
    .action(async (options: { account: string }) => {
      printJson(await versionsOf(kafkaContext(), options.account));
    });
}
