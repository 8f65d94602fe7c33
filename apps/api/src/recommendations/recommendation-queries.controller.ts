import { Controller, Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow, BEARER_SCHEME } from '@app/auth';
import { setETag } from '@app/http';
import { ReadModel } from '@app/read-model';
import { READERS } from '../readers';
import { RecommendationIdPipe } from './recommendation-id.pipe';
import { AsOfQuery, HistoryQueryDto, ReadYourWritesQuery, RecommendationListQuery } from './recommendation-queries.dto';

/** DOMAIN.md: everyone but the LPAs reads recommendations; the board and the lead read the log. */
const GOVERNORS = ['board', 'strategic-lead'] as const;

/**
 * API.md, Queries: recommendations as the read model holds them now, or as the log said at
 * `asOf`; the history of one and of the whole log; the board's summary of them.
 */
@ApiTags('recommendations')
@ApiBearerAuth(BEARER_SCHEME)
@Controller('api')
export class RecommendationQueriesController {
  constructor(private readonly readModel: ReadModel) {}

  @Get('recommendations')
  @Allow(...READERS)
  async list(@Query() query: RecommendationListQuery) {
    await this.readYourWrites(query);
    const filters = {
      status: query.status,
      owner: query.owner,
      overdue: query.overdue === undefined ? undefined : query.overdue === 'true',
      after: query.after,
      limit: query.limit,
    };
    return query.asOf
      ? this.readModel.recommendationsAsOf(query.asOf, filters)
      : this.readModel.listRecommendations(filters, now());
  }

  @Get('recommendations/:id')
  @Allow(...READERS)
  async get(
    @Param('id', RecommendationIdPipe) id: string,
    @Query() query: AsOfQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.readYourWrites(query);
    const recommendation = query.asOf
      ? await this.readModel.recommendationAsOf(id, query.asOf)
      : await this.readModel.getRecommendation(id, now());
    if (!recommendation) throw notFound(id, query.asOf);
    setETag(reply, recommendation.revision);
    return recommendation;
  }

  @Get('recommendations/:id/history')
  @Allow(...READERS)
  async recommendationHistory(@Param('id', RecommendationIdPipe) id: string, @Query() query: ReadYourWritesQuery) {
    await this.readYourWrites(query);
    const events = await this.readModel.recommendationHistory(id);
    if (!events) throw notFound(id);
    return { events };
  }

  @Get('history')
  @Allow(...GOVERNORS)
  async history(@Query() query: HistoryQueryDto) {
    if (query.asOf !== undefined) {
      // The history is the log itself; "as of" an instant is `to`.
      query.to ??= query.asOf;
    }
    await this.readYourWrites(query);
    return this.readModel.history({
      stream: query.stream,
      type: query.type,
      from: query.from,
      to: query.to,
      after: query.after,
      limit: query.limit,
    });
  }

  /**
   * The board's figures: recommendations by status and RAG with overdue actions, taskings by LPA
   * and status with the escalated ones, and the open audit findings by LPA; from the read model,
   * or folded from the log as it stood at `asOf`.
   */
  @Get('board/summary')
  @Allow(...GOVERNORS)
  async boardSummary(@Query() query: AsOfQuery) {
    await this.readYourWrites(query);
    if (query.asOf) {
      return {
        asOf: query.asOf,
        recommendations: await this.readModel.recommendationCountsAsOf(query.asOf),
        taskings: await this.readModel.taskingCountsAsOf(query.asOf),
        auditFindings: await this.readModel.auditFindingCountsAsOf(query.asOf),
      };
    }
    const at = now();
    return {
      asOf: at,
      recommendations: await this.readModel.recommendationCounts(at),
      taskings: await this.readModel.taskingCounts(),
      auditFindings: await this.readModel.auditFindingCounts(),
    };
  }

  private async readYourWrites(query: ReadYourWritesQuery): Promise<void> {
    if (query.position !== undefined) await this.readModel.waitForPosition(BigInt(query.position));
  }
}

function now(): string {
  return new Date().toISOString();
}

function notFound(id: string, asOf?: string): NotFoundException {
  return new NotFoundException(
    asOf ? `recommendation ${id} did not exist at ${asOf}` : `recommendation ${id} does not exist`,
  );
}
