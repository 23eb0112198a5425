/**
 * Who may do what: one matrix of role × action, checked by every route. Scope (which jurisdictions)
 * is checked separately, per object, in the routes: out of scope answers 404, never 403, so an
 * object outside the caller's subtree is not even confirmed to exist.
 */
export const ROLES = ['organizer', 'reviewer', 'supervisor', 'intake', 'investigator', 'viewer', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  'jurisdiction.read',
  'jurisdiction.write',
  'cycle.read',
  'cycle.start',
  'cycle.input',
  'cycle.control',
  'hold.manage',
  'candidate.read',
  'candidate.dossier',
  'candidate.stop',
  'audit.verify',
  'codec.use',
  'system.ping',
  'review.read',
  'review.submit',
  'personalMatters.read',
  'report.intake',
  'report.read',
  'report.readSensitive',
  'report.triage',
  'report.finding',
  'report.ledger',
  'supervision.read',
  'supervision.file',
  'risk.register',
  'risk.read',
  'risk.resolve',
  'campaign.start',
  'campaign.read',
  'ledger.read',
] as const;
export type Action = (typeof ACTIONS)[number];

const ALL_READERS: Role[] = ['organizer', 'reviewer', 'supervisor', 'intake', 'investigator', 'viewer'];

export const POLICY: Record<Action, readonly Role[]> = {
  'jurisdiction.read': ALL_READERS,
  'jurisdiction.write': ['organizer'],
  'cycle.read': ['organizer', 'supervisor', 'viewer', 'investigator'],
  'cycle.start': ['organizer'],
  'cycle.input': ['organizer'],
  'cycle.control': ['organizer'],
  // Supervision teams raise holds on findings; investigators on reports about a nominee.
  'hold.manage': ['organizer', 'supervisor', 'investigator'],
  'candidate.read': ['organizer', 'supervisor', 'viewer', 'investigator'],
  'candidate.dossier': ['organizer'],
  'candidate.stop': ['organizer', 'investigator'],
  'audit.verify': ['organizer', 'viewer'],
  // Operators (who watch and repair executions in the Temporal UI) check the round trip too.
  'system.ping': [...ALL_READERS, 'operator'],
  // A department sees and answers only its own tasks; the route checks the department too.
  'review.read': ['reviewer'],
  'review.submit': ['reviewer'],
  // What a candidate declared and what verification found: the organization department only.
  'personalMatters.read': ['organizer'],
  'report.intake': ['intake'],
  'report.read': ['intake', 'investigator', 'organizer', 'supervisor', 'viewer'],
  // Who reported, and what they wrote: the desk that took it and the unit that verifies it.
  'report.readSensitive': ['intake', 'investigator'],
  'report.triage': ['intake', 'investigator'],
  'report.finding': ['investigator'],
  'report.ledger': ALL_READERS,
  'supervision.read': ['organizer', 'supervisor', 'viewer'],
  'supervision.file': ['supervisor'],
  'risk.register': ['organizer', 'supervisor'],
  'risk.read': ['organizer', 'supervisor', 'viewer'],
  'risk.resolve': ['organizer', 'supervisor'],
  'campaign.start': ['organizer'],
  'campaign.read': ['organizer', 'supervisor', 'viewer'],
  'ledger.read': ALL_READERS,
  // Decrypted payloads are what the Temporal UI shows: for operators only, within their scope,
  // one named workflow at a time, each call on the audit chain (api/codec.ts).
  'codec.use': ['operator'],
};

/** The departments a caller reviews for: `reviewer:audit` → `audit`. */
export function reviewerDepartments(roles: readonly string[]): string[] {
  return roles.filter((r) => r.startsWith('reviewer:')).map((r) => r.slice('reviewer:'.length));
}

/** `reviewer:audit` counts as role `reviewer` (department `audit`). */
export function baseRole(role: string): Role | undefined {
  const base = role.split(':')[0] as Role;
  return (ROLES as readonly string[]).includes(base) ? base : undefined;
}

export function allows(roles: readonly string[], action: Action): boolean {
  return roles.some((r) => {
    const base = baseRole(r);
    return base !== undefined && POLICY[action].includes(base);
  });
}
