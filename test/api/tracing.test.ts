/**
 * Traces: one API request's span is the parent of the workflow call it makes, and the workflow's and
 * its activities' spans continue the same trace (the worker here bundles the workflows with the
 * OpenTelemetry interceptors, as in production when OTEL_TRACES_EXPORTER is set).
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTracing } from '../../temporal/tracing.js';
import { eventually, loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { read, type ApiClient } from './client.js';

const spans = new InMemorySpanExporter();
let stack: Stack;
let organizer: ApiClient;

beforeAll(async () => {
  stack = await startStack({ tracing: setupTracing('huanjie-test', {}, spans)! });
  await loadSampleTree(stack.pool);
  organizer = stack.as(await stack.token(['organizer'], '440300'));
}, 240_000);
afterAll(() => stack?.stop());

/** The finished spans of the trace of the request named `name`, once they include each of `kinds`. */
async function traceOf(name: string, kinds: string[]) {
  const request = await eventually(async () => spans.getFinishedSpans().find((s) => s.name === name));
  const trace = request.spanContext().traceId;
  const inTrace = () => spans.getFinishedSpans().filter((s) => s.spanContext().traceId === trace);
  const found = await eventually(async () => {
    const all = inTrace();
    return kinds.every((k) => all.some((s) => s.name.startsWith(k))) ? all : undefined;
  }, 30_000);
  return { request, spans: found };
}

describe('traces', () => {
  it('follow a request from the API into the workflow and its activities', async () => {
    const started = await read(organizer.v1.cycles.$post({ json: S.startBody('440305', '2026') }));
    expect(started.status).toBe(201);
    const launched = await read(
      organizer.v1.cycles[':cycleId'].launch.$post({ param: { cycleId: '440305:2026' }, json: S.launch, header: {} }),
    );
    expect(launched.status).toBe(200);

    // An input's own trace: the update the request sent and the workflow's handling of it (the act
    // itself the API records, in the request).
    const launchTrace = await traceOf('POST /v1/cycles/{id}/launch', ['StartWorkflowUpdate:', 'HandleUpdate:']);
    const update = launchTrace.spans.find((s) => s.name.startsWith('StartWorkflowUpdate:'))!;
    expect(update.parentSpanId).toBe(launchTrace.request.spanContext().spanId);

    // An input the workflow records itself (an abort ends the cycle): its activity is in the trace too.
    const aborted = await read(
      organizer.v1.cycles[':cycleId'].abort.$post({
        param: { cycleId: '440305:2026' },
        json: { reason: '测试：追踪' },
        header: {},
      }),
    );
    expect(aborted.status).toBe(200);
    await traceOf('POST /v1/cycles/{id}/abort', ['StartWorkflowUpdate:', 'HandleUpdate:', 'RunActivity:']);
    // Ids of cycles never become span names.
    expect(spans.getFinishedSpans().some((s) => s.name.includes('440305'))).toBe(false);
  });
});
