/** Sign-in: paste a token; in local mode also issue one for a chosen role and scope. */
import { DEPARTMENTS, DEPARTMENT_LABELS } from '../../../domain/policy.js';
import { Layout, ROLE_LABELS } from '../layout.js';

const ROLES = [
  ...['organizer', 'viewer', 'supervisor', 'intake', 'investigator'].map((r) => [r, ROLE_LABELS[r]!] as const),
  ...DEPARTMENTS.map((d) => [`reviewer:${d}`, `联审部门：${DEPARTMENT_LABELS[d]}`] as const),
];

export function SignInPage(props: { local: boolean; error?: string }) {
  return (
    <Layout title="登录">
      {props.error ? (
        <p class="refusal" role="alert">
          {props.error}
        </p>
      ) : null}
      {props.local ? (
        <form method="post" action="/console/signin/local" class="card" id="local-signin">
          <h2>本机登录（仅本地模式）</h2>
          <p class="hint">
            本地模式（npm start）下可为所选角色和范围签发令牌，有效 8
            小时。生产环境不提供此功能，请使用单位的身份认证系统签发的令牌。
          </p>
          <div class="field">
            <label for="signin-role">角色</label>
            <select id="signin-role" name="role">
              {ROLES.map(([v, l]) => (
                <option value={v}>{l}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="signin-scope">范围（行政区划代码）</label>
            <input id="signin-scope" name="scope" value="440300" />
          </div>
          <div class="field">
            <label for="signin-sub">姓名</label>
            <input id="signin-sub" name="sub" value="" />
          </div>
          <button type="submit">登录</button>
        </form>
      ) : null}
      <form method="post" action="/console/signin/token" class="card" id="token-signin">
        <h2>使用令牌登录</h2>
        <div class="field">
          <label for="signin-token">访问令牌（Bearer JWT）</label>
          <textarea id="signin-token" name="token" rows={4} autocomplete="off"></textarea>
        </div>
        <button type="submit">登录</button>
      </form>
    </Layout>
  );
}
