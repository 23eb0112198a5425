/**
 * Typed search attributes operators filter on in the Temporal UI. The dev server's SQLite store has
 * 10 Keyword, 3 Bool and 3 Datetime slots per namespace; these use 7 + 1 + 1. Never a person's name:
 * search attributes are not encrypted (a campaign id is its root, level and term, nothing more).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SA = {
  stage: defineSearchAttributeKey('HuanjieStage', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('HuanjieStatus', SearchAttributeType.KEYWORD),
  level: defineSearchAttributeKey('HuanjieLevel', SearchAttributeType.KEYWORD),
  jurisdiction: defineSearchAttributeKey('HuanjieJurisdiction', SearchAttributeType.KEYWORD),
  term: defineSearchAttributeKey('HuanjieTerm', SearchAttributeType.KEYWORD),
  cycle: defineSearchAttributeKey('HuanjieCycle', SearchAttributeType.KEYWORD),
  /** The campaign that launched a cycle, so the UI can list one campaign's cycles. */
  campaign: defineSearchAttributeKey('HuanjieCampaign', SearchAttributeType.KEYWORD),
  overdue: defineSearchAttributeKey('HuanjieOverdue', SearchAttributeType.BOOL),
  deadline: defineSearchAttributeKey('HuanjieDeadline', SearchAttributeType.DATETIME),
} as const;

/** As the dev server's `--search-attribute Name=Type` flags and the operator service expect them. */
export const SEARCH_ATTRIBUTE_TYPES: Record<string, 'Keyword' | 'Bool' | 'Datetime'> = {
  HuanjieStage: 'Keyword',
  HuanjieStatus: 'Keyword',
  HuanjieLevel: 'Keyword',
  HuanjieJurisdiction: 'Keyword',
  HuanjieTerm: 'Keyword',
  HuanjieCycle: 'Keyword',
  HuanjieCampaign: 'Keyword',
  HuanjieOverdue: 'Bool',
  HuanjieDeadline: 'Datetime',
};
