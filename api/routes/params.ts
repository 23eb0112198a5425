/** Path parameters several route groups share: one definition of what a valid id in a path is. */
import { z } from '@hono/zod-openapi';
import { JURISDICTION_LEVELS } from '../../domain/stages.js';
import { ID } from '../../domain/schemas.js';
import { RISK_ID } from '../../domain/ids.js';

export const cycleIdParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}:\d{4}$/, 'a cycle id <jurisdictionId>:<term>, e.g. 440306:2026')
  .openapi({ param: { name: 'cycleId', in: 'path' }, example: '440306:2026' });
export const cycleParams = z.object({ cycleId: cycleIdParam });

export const candidateParams = z.object({
  cycleId: cycleIdParam,
  personId: z
    .string()
    .regex(ID.person.pattern, ID.person.rule)
    .openapi({ param: { name: 'personId', in: 'path' }, example: 'p001' }),
});

export const reportParams = z.object({
  reportId: z
    .string()
    .regex(/^R-[0-9a-f]{16}$/, 'a report id like R-0123456789abcdef')
    .openapi({ param: { name: 'reportId', in: 'path' }, example: 'R-5f2c9a1b3d4e6f70' }),
});

export const riskParams = z.object({
  riskId: z
    .string()
    .regex(RISK_ID, 'a risk id like K-0123456789ab')
    .openapi({ param: { name: 'riskId', in: 'path' }, example: 'K-5f2c9a1b3d4e' }),
});

export const campaignParams = z.object({
  campaignId: z
    .string()
    .regex(
      new RegExp(`^[A-Za-z0-9_-]{1,40}:(${JURISDICTION_LEVELS.join('|')}):\\d{4}$`),
      'a campaign id <rootId>:<level>:<term>',
    )
    .openapi({ param: { name: 'campaignId', in: 'path' }, example: '440300:township:2026' }),
});

/** A jurisdiction-id query parameter (`scope`): a jurisdiction inside the caller's scope. */
export const scopeQuery = z.string().regex(ID.jurisdiction.pattern, ID.jurisdiction.rule);
