/**
 * The form for the input a cycle's stage waits for: which API input it posts and its fields,
 * prefilled from the live state (positions, candidates, nominees) so the user edits figures rather
 * than typing ids. Whether the input is right is the API's call alone.
 */
import type { Field } from './forms.js';

export interface StageForm {
  path: StageInputPath;
  title: string;
  fields: Field[];
}

/** Why fewer people than the 差额 ratio, per position; optional in the API. */
const belowRatio = (list: string, k: number, p: any): Field => ({
  name: `${list}.${k}.belowRatioReason`,
  label: `${p.title ?? p.id}：低于差额比例的理由（如有）`,
  optional: true,
});
/** A position's id travels with its rows (the API's list is per position). */
const positionId = (list: string, k: number, p: any): Field => ({
  name: `${list}.${k}.positionId`,
  label: '',
  type: 'hidden',
  value: p.id,
});

/**
 * Every stage input a stage form posts to. A form's `path` is typed by this record's keys, so a form
 * posting to a path the console's POST route would not accept fails to compile.
 */
const PATHS = {
  launch: true,
  analysis: true,
  'recommendation-rounds': true,
  'standing-committee': true,
  'committee-vote': true,
  'nominee-drops': true,
  approval: true,
  election: true,
} as const satisfies Record<string, true>;
type StageInputPath = keyof typeof PATHS;
export const STAGE_INPUT_PATHS: ReadonlySet<string> = new Set(Object.keys(PATHS));

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
            label: '责任清单',
            type: 'list',
            required: true,
            columns: [
              { name: 'task', label: '任务' },
              { name: 'measure', label: '措施' },
              { name: 'deadline', label: '期限', type: 'date' },
              { name: 'owner', label: '责任单位' },
            ],
            rows: [{ task: '换届风气监督', measure: '签订换届纪律承诺书' }],
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
          ...positions.flatMap((p, k): Field[] => {
            // The second round is usually the same people: its rows start from the first round's.
            const earlier = state.recommendation?.rounds?.cadreMeeting?.tallies?.find(
              (t: any) => t.positionId === p.id,
            );
            return [
              positionId('tallies', k, p),
              {
                name: `tallies.${k}.persons`,
                label: `${p.title ?? p.id}（${p.id}）计票`,
                type: 'list',
                required: true,
                columns: [
                  { name: 'personId', label: '人选编号' },
                  { name: 'name', label: '姓名' },
                  { name: 'votes', label: '得票', type: 'number' },
                  { name: 'firstPromotion', label: '首次提拔', type: 'checkbox' },
                ],
                rows: (round === 'fullCommittee' ? (earlier?.persons ?? []) : []).map((x: any) => ({
                  personId: x.personId,
                  name: x.name,
                  firstPromotion: x.firstPromotion ? 'on' : '',
                })),
                blank: 3,
              },
              belowRatio('tallies', k, p),
            ];
          }),
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
            ...positions.flatMap((p, k): Field[] => [
              positionId('shortlist', k, p),
              {
                name: `shortlist.${k}.personIds`,
                label: `${p.title ?? p.id}（${p.id}）提名人选`,
                type: 'list',
                columns: [{ name: '', label: '人选编号' }],
                rows: candidates
                  .filter((c) => c.positionId === p.id && c.status === 'passed')
                  .map((c) => ({ '': c.personId })),
                hint: '考察合格的人选已列出；不提名的删去或清空',
              },
              belowRatio('shortlist', k, p),
            ]),
          ],
        };
      return {
        path: 'committee-vote',
        title: '讨论决定：全委会票决',
        fields: [
          { name: 'present', label: '到会委员人数', type: 'number', required: true },
          {
            name: 'votes',
            label: '票决结果',
            type: 'list',
            columns: [
              { name: 'positionId', label: '职位编号' },
              { name: 'personId', label: '人选编号' },
              { name: 'inFavor', label: '赞成票', type: 'number' },
            ],
            rows: (state.decision.standing.shortlist ?? []).flatMap((s: any) =>
              s.personIds.map((personId: string) => ({ positionId: s.positionId, personId })),
            ),
            blank: 1,
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
          {
            name: 'rejections',
            label: '不同意的人选（如有）',
            type: 'list',
            columns: [
              { name: 'personId', label: '人选编号' },
              { name: 'reason', label: '理由' },
            ],
          },
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
          ...positions.flatMap((p, k): Field[] => [
            positionId('results', k, p),
            {
              name: `results.${k}.persons`,
              label: `${p.title ?? p.id}（${p.id}）得票`,
              type: 'list',
              required: true,
              columns: [
                { name: 'personId', label: '人选编号' },
                { name: 'votes', label: '得票', type: 'number' },
              ],
              rows: (state.nominees ?? [])
                .filter((n: any) => n.positionId === p.id && n.status === 'approved')
                .map((n: any) => ({ personId: n.personId })),
              blank: 1,
            },
          ]),
        ],
      };
    default:
      return undefined;
  }
}
