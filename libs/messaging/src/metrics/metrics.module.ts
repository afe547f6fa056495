import { Controller, DynamicModule, Get, Header, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { JSONCodec, RequestStrategy, type NatsConnection, type Subscription } from 'nats';
import { AggregatorRegistry, collectDefaultMetrics } from 'prom-client';
import { NATS_CONNECTION } from '../nats.module';
import { metricsSubject, SERVICES, type ServiceName } from '../subjects';
import { fleetCollectors, knownTenants, lockManagerCollectors, projectorCollectors, schedulerCollectors } from './collectors';
import { INSTANCE, metricsRegistry } from './registry';

type MetricsJson = Awaited<ReturnType<typeof metricsRegistry.getMetricsAsJSON>>;
const jsonCodec = JSONCodec<MetricsJson>();
/** How long `/metrics/all` waits for one more instance to answer after the last one did. */
const GATHER_JITTER_MS = 300;
const GATHER_MAX_MS = 2000;

/** METRICS_PORT: unset or empty = no HTTP listener (NATS-only services still answer `metrics.<service>`). */
export function metricsPortFrom(env: NodeJS.ProcessEnv = process.env): number | null {
  const raw = env.METRICS_PORT?.trim();
  if (!raw) return null;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`METRICS_PORT="${raw}" is not a valid port`);
  return port;
}

/** Every instance of every service, merged; an instance that does not answer in time is left out. */
export async function gatherAllMetrics(nc: NatsConnection): Promise<string> {
  const parts = await Promise.all(
    SERVICES.map(async (service) => {
      const replies: MetricsJson[] = [];
      try {
        const answers = await nc.requestMany(metricsSubject(service), undefined, {
          strategy: RequestStrategy.JitterTimer,
          jitter: GATHER_JITTER_MS,
          maxWait: GATHER_MAX_MS,
        });
        for await (const msg of answers) replies.push(jsonCodec.decode(msg.data));
      } catch {
        // No responders: the service is down, which /health reports; the others' metrics still count.
      }
      return replies;
    }),
  );
  return AggregatorRegistry.aggregate(parts.flat()).metrics();
}

/**
 * The event-loop lag histogram samples on a timer. prom-client's 10 ms default woke every idle service 100
 * times a second, and each wake-up costs ~0.05 ms of CPU at idle on our virtual machines; lag worth alerting on is
 * far longer than 100 ms.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

@Injectable()
class MetricsRuntime implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('metrics');
  private subscription?: Subscription;
  private server?: Server;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject('METRICS_SERVICE') private readonly service: ServiceName,
  ) {}

  async onModuleInit(): Promise<void> {
    metricsRegistry.setDefaultLabels({ service: this.service, instance: INSTANCE });
    collectDefaultMetrics({ register: metricsRegistry, prefix: 'jobstream_process_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    if (this.service === 'projector') projectorCollectors(this.nc, knownTenants);
    if (this.service === 'lock-manager') lockManagerCollectors(this.nc, knownTenants);
    if (this.service === 'scheduler') schedulerCollectors(this.nc);
    if (this.service === 'gateway') fleetCollectors(this.nc);

    // No queue group: every instance answers, so the gateway sees the whole fleet.
    this.subscription = this.nc.subscribe(metricsSubject(this.service), {
      callback: (_error, msg) => {
        void metricsRegistry.getMetricsAsJSON().then((json) => msg.respond(jsonCodec.encode(json)), () => undefined);
      },
    });

    const port = this.service === 'gateway' ? null : metricsPortFrom();
    if (port !== null) await this.listen(port);
  }

  private listen(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: only GET /metrics is served here\n');
        return;
      }
      metricsRegistry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
        (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
      );
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject).listen(port, process.env.METRICS_HOST ?? '0.0.0.0', () => {
        const address = this.server!.address();
        this.logger.log(`metrics on http://localhost:${typeof address === 'object' && address ? address.port : port}/metrics`);
        resolve();
      });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** `GET /metrics` (this process) and `GET /metrics/all` (every instance of every service, over NATS). */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  @Get()
  @Header('content-type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }

  @Get('all')
  @Header('content-type', metricsRegistry.contentType)
  all(): Promise<string> {
    return gatherAllMetrics(this.nc);
  }
}

/**
 * Prometheus metrics for one service: default process metrics, the service's own collectors, the
 * `metrics.<service>` NATS responder, and HTTP (`/metrics` on the gateway's own port; METRICS_PORT for the others).
 */
@Module({})
export class MetricsModule {
  static forService(service: ServiceName): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      providers: [{ provide: 'METRICS_SERVICE', useValue: service }, MetricsRuntime],
      controllers: service === 'gateway' ? [MetricsController] : [],
    };
  }
}
