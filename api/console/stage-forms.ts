/**
 * The form for the input a cycle's stage waits for: which API input it posts and its fields,
 * prefilled from the live state (positions, candidates, nominees) so the user edits figures rather
 * than typing ids. Whether the input is right is the API's call alone.
 */
import type { Field } from './forms.js';

export interface StageForm {
  path: string;
  title: string;
  fields: Field[];
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

export function stageForm(state: any): StageForm | undefined {
  if (!state || state.status !== 'running' || state.stageDone) return undefined;
  const positions: any[] = state.positions ?? [];
  switch (state.stage) {
    case 'launch':
      return {
        path: 'launch',
        title: '启动：责任清单、警示教育、承诺书',
        fields: [
          {
            name: 'responsibilities',
            label: '责任清单（JSON：task 任务、measure 措施、deadline 期限、owner 责任单位）',
            type: 'json',
            value: json([{ task: '换届风气监督', measure: '签订换届纪律承诺书', deadline: '', owner: '' }]),
          },
          { name: 'educationSessions', label: '警示教育场次', type: 'number', required: true },
          { name: 'commitmentLetters', label: '签订承诺书份数', type: 'number', required: true },
          { name: 'talks', label: '谈心谈话人次', type: 'number', required: true },
        ],
      };
    case 'analysis':
      return {
        path: 'analysis',
        title: '分析研判和动议：空缺职位预告',
        fields: [
          { name: 'vacanciesPublishedOn', label: '空缺职位预告日期', type: 'date', required: true },
          { name: 'eligibleChecked', label: '审核符合条件人数', type: 'number', required: true },
        ],
      };
    case 'recommendation': {
      const done = Object.keys(state.recommendation?.rounds ?? {});
      const round = done.includes('cadreMeeting') ? 'fullCommittee' : 'cadreMeeting';
      return {
        path: 'recommendation-rounds',
        title: `民主推荐：${round === 'cadreMeeting' ? '干部大会推荐' : '全委会推荐'}计票`,
        fields: [
          {
            name: 'round',
            label: '推荐轮次',
            type: 'select',
            value: round,
            options: [
              ['cadreMeeting', '干部大会推荐'],
              ['fullCommittee', '全委会推荐'],
            ],
          },
          { name: 'voters', label: '参加推荐人数', type: 'number', required: true },
          { name: 'observers', label: '列席“两代表一委员”人数', type: 'number', value: '0' },
          {
            name: 'tallies',
            label: '计票（JSON：每个职位的人选 personId 编号、name 姓名、votes 得票）',
            type: 'json',
            value: json(positions.map((p) => ({ positionId: p.id, persons: [{ personId: '', name: '', votes: 0 }] }))),
          },
        ],
      };
    }
    case 'decision': {
      const candidates: any[] = state.candidates ?? [];
      if (!state.decision?.standing)
        return {
          path: 'standing-committee',
          title: '讨论决定：常委会提出人选',
          fields: [
            { name: 'present', label: '到会常委人数', type: 'number', required: true },
            {
              name: 'shortlist',
              label: '提名人选（JSON：每个职位的 personIds）',
              type: 'json',
              value: json(
                positions.map((p) => ({
                  positionId: p.id,
                  personIds: candidates
                    .filter((c) => c.positionId === p.id && c.status === 'passed')
                    .map((c) => c.personId),
                })),
              ),
            },
          ],
        };
      return {
        path: 'committee-vote',
        title: '讨论决定：全委会票决',
        fields: [
          { name: 'present', label: '到会委员人数', type: 'number', required: true },
          {
            name: 'votes',
            label: '票决结果（JSON：positionId、personId、inFavor 赞成票）',
            type: 'json',
            value: json(
              (state.decision.standing.shortlist ?? []).flatMap((s: any) =>
                s.personIds.map((personId: string) => ({ positionId: s.positionId, personId, inFavor: 0 })),
              ),
            ),
          },
        ],
      };
    }
    case 'publicity':
      return {
        path: 'nominee-drops',
        title: '任职公示：取消拟任人选（如有）',
        fields: [
          {
            name: 'personId',
            label: '拟任人选',
            type: 'select',
            options: (state.nominees ?? [])
              .filter((n: any) => n.status === 'published')
              .map((n: any) => [n.personId, `${n.name}（${n.personId}）`] as const),
          },
          { name: 'reason', label: '理由', type: 'textarea', required: true },
          {
            name: 'cause',
            label: '原因类别',
            type: 'select',
            options: [
              ['report', '举报查实'],
              ['violation', '违纪违规'],
              ['other', '其他'],
            ],
            value: 'other',
          },
        ],
      };
    case 'approval':
      return {
        path: 'approval',
        title: '审查审批：上级审批或备案',
        fields: [
          {
            name: 'decision',
            label: '方式',
            type: 'select',
            options: [
              ['approved', '审批同意'],
              ['filed', '备案'],
            ],
          },
          { name: 'authority', label: '审批机关', required: true },
          { name: 'rejections', label: '不同意的人选（JSON：personId、reason）', type: 'json', value: '[]' },
        ],
      };
    case 'election':
      return {
        path: 'election',
        title: '大会选举：选举结果',
        fields: [
          { name: 'votersPresent', label: '到会代表人数', type: 'number', required: true },
          { name: 'validBallots', label: '有效票数', type: 'number', required: true },
          { name: 'massPetitions', label: '联名上访（起）', type: 'number', value: '0' },
          {
            name: 'results',
            label: '得票（JSON：每个职位的 personId、votes）',
            type: 'json',
            value: json(
              positions.map((p) => ({
                positionId: p.id,
                persons: (state.nominees ?? [])
                  .filter((n: any) => n.positionId === p.id && n.status === 'approved')
                  .map((n: any) => ({ personId: n.personId, votes: 0 })),
              })),
            ),
          },
        ],
      };
    default:
      return undefined;
  }
}
