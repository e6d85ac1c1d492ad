import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ServiceMetrics } from './metrics';
import { Readiness } from './readiness';
import { SERVICE_DEFINITION, type ServiceDefinition } from './tokens';

@Controller()
export class OpsController {
  constructor(
    private readonly readiness: Readiness,
    private readonly metrics: ServiceMetrics,
    @Inject(SERVICE_DEFINITION) private readonly definition: ServiceDefinition,
  ) {}

  /** 200 when the broker is connected and the consumer has joined its group, 503 otherwise. */
  @Get('health')
  health(@Res() res: Response): void {
    const { ready, checks } = this.readiness.report();
    res.status(ready ? 200 : 503).json({ service: this.definition.name, status: ready ? 'ready' : 'starting', checks });
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
