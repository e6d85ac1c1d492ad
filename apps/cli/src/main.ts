import { Command, CommanderError } from 'commander';
import { ConfigError } from '@clonecast/platform/config';
import { shutdownTelemetry, startTelemetry } from '@clonecast/platform/telemetry';
import { UsageError } from './cli-error';
import { registerCatalog } from './commands/catalog';
import { registerClone } from './commands/clone';
import { registerConfig } from './commands/config';
import { registerForecast } from './commands/forecast';
import { registerPlan } from './commands/plan';
import { registerTopics } from './commands/topics';

// Spans need real ids even when nothing collects them: the CLI prints the trace id of each request.
process.env['OTEL_TRACES_EXPORTER'] ??= process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] ? 'otlp' : 'none';
startTelemetry('clonecast-cli');

const program = new Command()
  .name('clonecast')
  .description('predictive, cost-optimal pre-provisioning of cloned cloud accounts')
  .exitOverride()
  .showHelpAfterError();
registerClone(program);
registerForecast(program);
registerPlan(program);
registerConfig(program);
registerTopics(program);
registerCatalog(program);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
    } else if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`clonecast: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`clonecast: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  } finally {
    await shutdownTelemetry().catch(() => undefined);
  }
}

void main();
