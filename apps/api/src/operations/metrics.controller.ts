import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Allow } from '@app/auth';
import { MetricsService } from './metrics.service';

/**
 * `GET /metrics` for Prometheus, with a bearer token of the admin role (Prometheus sends one with
 * `authorization: { credentials_file: … }`; `npm run token -- --role admin --ttl …` makes one).
 * Unlike health, the figures say how much each LPA has waiting: not for every caller.
 */
@Allow('admin')
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  render(): Promise<string> {
    return this.metrics.render();
  }
}
