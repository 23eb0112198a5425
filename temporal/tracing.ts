/**
 * Traces from an API request into the workflow it drives and the activities it runs
 * (@temporalio/interceptors-opentelemetry): the API opens a span per request, the Temporal client
 * interceptor carries its context in the workflow's headers, the worker continues it in the
 * workflow (spans leave the sandbox through a sink) and in each activity.
 *
 * OTEL_TRACES_EXPORTER chooses where spans go: `none` (default: no tracing at all) or `console`
 * (one JSON line per span on stdout). An OTLP exporter is the production choice; it is one more
 * package (@opentelemetry/exporter-trace-otlp-http) plugged in here where `console` is.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import * as otel from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

export interface Tracing {
  exporter: SpanExporter;
  resource: Resource;
  tracer: otel.Tracer;
  shutdown(): Promise<void>;
}

/** Context that follows async calls (what @opentelemetry/context-async-hooks does, in a few lines). */
class AsyncLocalStorageContextManager implements otel.ContextManager {
  private readonly storage = new AsyncLocalStorage<otel.Context>();
  active(): otel.Context {
    return this.storage.getStore() ?? otel.ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: otel.Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(context, () => fn.apply(thisArg, args));
  }
  bind<T>(context: otel.Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (...args: unknown[]) => this.with(context, () => (target as (...a: unknown[]) => unknown)(...args));
    return run as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

let installed: Tracing | undefined;

/** Installs tracing once per process for `serviceName`; undefined when OTEL_TRACES_EXPORTER is none/unset. */
export function setupTracing(
  serviceName: string,
  env: Record<string, string | undefined> = process.env,
  /** Where spans go instead of the configured exporter (tests keep them in memory). */
  override?: SpanExporter,
): Tracing | undefined {
  if (installed) return installed;
  const kind = (env.OTEL_TRACES_EXPORTER ?? 'none').trim().toLowerCase();
  if (!override && (kind === 'none' || kind === '')) return undefined;
  if (!override && kind !== 'console')
    throw new Error(`configuration: OTEL_TRACES_EXPORTER must be none or console (got "${kind}")`);
  const exporter = override ?? new ConsoleSpanExporter();
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName });
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(new SimpleSpanProcessor(exporter));
  otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  otel.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  otel.trace.setGlobalTracerProvider(provider);
  installed = { exporter, resource, tracer: otel.trace.getTracer('huanjie'), shutdown: () => provider.shutdown() };
  return installed;
}

/** The workflow-side interceptors module the worker bundles when tracing is on. */
export const workflowTracingModule = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);
