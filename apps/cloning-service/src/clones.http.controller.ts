import { Body, Controller, Get, HttpCode, HttpException, HttpStatus, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { cloneRequestedSchema, topics } from '@clonecast/contracts';
import type { CloneSagaState } from '@clonecast/cloning/domain';
import { EventPublisher, formatZodIssues } from '@clonecast/platform/messaging';
import { CloningState } from './cloning-state';

/** HTTP entry for clone requests and their status (the saga). */
@Controller('clones')
export class ClonesHttpController {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly state: CloningState,
  ) {}

  /** Body: clone.requested data `{spec, profile}`. Answers 202 with the request id to poll. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async request(@Body() body: unknown): Promise<{ requestId: string; status: 'accepted'; statusUrl: string }> {
    const parsed = cloneRequestedSchema.safeParse(body);
    if (!parsed.success) {
      throw new HttpException({ error: 'invalid clone request', issues: formatZodIssues(parsed.error.issues) }, HttpStatus.BAD_REQUEST);
    }
    const requestId = randomUUID();
    await this.publisher.publish(topics.cloneRequested, parsed.data, { requestId });
    return { requestId, status: 'accepted', statusUrl: `/clones/${requestId}` };
  }

  @Get(':id')
  status(@Param('id') id: string): CloneSagaState {
    const saga = this.state.sagas.get(id);
    if (!saga) throw new NotFoundException(`no clone request ${id} (yet)`);
    return saga;
  }

  @Get()
  list(@Query('limit') limit?: string): CloneSagaState[] {
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new HttpException('limit must be an integer in 1..1000', HttpStatus.BAD_REQUEST);
    return this.state.sagas.list().slice(0, n);
  }
}
