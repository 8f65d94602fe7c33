import { Controller, Get, Res } from '@nestjs/common';
import { Public } from '@app/auth';
import { HealthService, type ReadinessReport } from './health.service';

/** The part of the HTTP reply the controller uses (Fastify's reply has it), to stay adapter-neutral. */
interface StatusReply {
  status(code: number): unknown;
}

/** Liveness and readiness for orchestrators and load balancers; no token needed. */
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The process serves HTTP: nothing else is asked, so a restart is never caused by a dependency. */
  @Get('live')
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  /** 200 when every dependency answers, else 503; the body names each check either way. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: StatusReply): Promise<ReadinessReport> {
    const report = await this.health.readiness();
    reply.status(report.status === 'up' ? 200 : 503);
    return report;
  }
}
