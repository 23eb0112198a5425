/**
 * Part 5 of `npm run bench`: the console's pages for ONE user (one request at a time, as a person
 * clicks), each page rendered through the API in-process, p50/p99 per page. Goal: p99 < 200 ms.
 */
export interface ConsolePage {
  name: string;
  path: string;
  token: string;
}

export async function measureConsolePages(
  baseUrl: string,
  pages: ConsolePage[],
  n = 200,
): Promise<Record<string, { p50: number; p99: number }>> {
  const out: Record<string, { p50: number; p99: number }> = {};
  for (const page of pages) {
    const get = async () => {
      const res = await fetch(`${baseUrl}${page.path}`, {
        headers: { cookie: `huanjie_token=${page.token}` },
        redirect: 'manual',
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`console ${page.path}: ${res.status}`);
    };
    for (let i = 0; i < 10; i++) await get(); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await get();
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    const at = (p: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]! * 100) / 100;
    out[page.name] = { p50: at(50), p99: at(99) };
  }
  return out;
}
