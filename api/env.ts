/** What a request carries through the middleware: who calls (set by authenticate) and its id. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Principal } from './principal.js';

export type Env = { Variables: { principal: Principal; requestId: string } };
export type App = OpenAPIHono<Env>;
