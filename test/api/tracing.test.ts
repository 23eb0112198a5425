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

describe('traces', () => {
  it('follow a request from the API into the workflow and its activities', async () => {
    const started = await read(organizer.v1.cycles.$post({ json: S.startBody('440305', '2026') }));
    expect(started.status).toBe(201);
    const launched = await read(
      organizer.v1.cycles[':cycleId'].launch.$post({ param: { cycleId: '440305:2026' }, json: S.launch, header: {} }),
    );
    expect(launched.status).toBe(200);

    const request = await eventually(async () =>
      spans.getFinishedSpans().find((s) => s.name === 'POST /v1/cycles/{id}/launch'),
    );
    const trace = request.spanContext().traceId;
    const inTrace = () => spans.getFinishedSpans().filter((s) => s.spanContext().traceId === trace);
    // The update the request sent, the workflow's handling of it, and the activity that recorded the act.
    const names = await eventually(async () => {
      const n = inTrace().map((s) => s.name);
      return n.some((x) => x.startsWith('StartWorkflowUpdate:')) &&
        n.some((x) => x.startsWith('HandleUpdate:')) &&
        n.some((x) => x.startsWith('RunActivity:'))
        ? n
        : undefined;
    }, 30_000);
    expect(names).toContain('POST /v1/cycles/{id}/launch');
    const update = inTrace().find((s) => s.name.startsWith('StartWorkflowUpdate:'))!;
    expect(update.parentSpanId).toBe(request.spanContext().spanId);
    // Ids of cycles never become span names.
    expect(spans.getFinishedSpans().some((s) => s.name.includes('440305'))).toBe(false);
  });
});
