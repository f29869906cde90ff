// A symbol's years with their files (sizes, dates, download links) and its fundamentals table.
import type { SymbolYear } from './documents.js';
import { byId, bytes, dateTime, h, money, plain } from './dom.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** What a downloaded file is saved as: the lake's keys all end in ticks.parquet or Qn.json, which says nothing in a Downloads folder. */
function fileName(ticker: string, year: number, what: string, ext: string): string {
  return `${ticker}-${year}-${what}.${ext}`;
}

export function renderYears(ticker: string, years: SymbolYear[]): void {
  const host = byId('years');
  if (years.length === 0) {
    host.replaceChildren(h('p', { class: 'muted', text: 'No files.' }));
    return;
  }
  host.replaceChildren(
    ...[...years].reverse().map((y) => {
      const files = [
        ...y.tickFiles.map((f) => ({
          label: f.resolution === 'DAILY' ? 'daily bars' : `minute bars, ${MONTHS[(f.month ?? 1) - 1]}`,
          key: f.key,
          size: f.size,
          date: f.lastModified,
          url: f.downloadUrl,
          name: fileName(
            ticker,
            y.year,
            f.resolution === 'DAILY' ? 'daily' : `minute-${String(f.month).padStart(2, '0')}`,
            'parquet',
          ),
        })),
        ...y.fundamentals.map((f) => ({
          label: `fundamentals Q${f.quarter}`,
          key: f.key,
          size: f.size,
          date: f.lastModified,
          url: f.downloadUrl,
          name: fileName(ticker, y.year, `Q${f.quarter}`, 'json'),
        })),
      ];
      const total = files.reduce((a, f) => a + f.size, 0);
      return h(
        'details',
        { class: 'year', attrs: { 'data-year': String(y.year) } },
        h(
          'summary',
          {},
          h('strong', { text: String(y.year) }),
          h('span', {
            class: 'muted small',
            text: ` ${files.length} file${files.length === 1 ? '' : 's'} · ${bytes(total)}`,
          }),
        ),
        h(
          'table',
          { class: 'files' },
          h(
            'tbody',
            {},
            ...files.map((f) =>
              h(
                'tr',
                {},
                h(
                  'td',
                  {},
                  h('a', {
                    text: f.label,
                    title: `${f.key} (saved as ${f.name})`,
                    attrs: { href: f.url, download: f.name },
                  }),
                ),
                h('td', { class: 'num', text: bytes(f.size) }),
                h('td', { class: 'muted small', text: dateTime(f.date) }),
              ),
            ),
          ),
        ),
      );
    }),
  );
  // The newest year starts open: it is what people look at first.
  host.querySelector('details')?.setAttribute('open', '');
}

export function renderFundamentals(ticker: string, years: SymbolYear[]): void {
  const rows = years.flatMap((y) => y.fundamentals).sort((a, b) => b.year - a.year || b.quarter - a.quarter);
  const host = byId('fundamentals');
  if (rows.length === 0) {
    host.replaceChildren(h('p', { class: 'muted', text: 'No fundamentals.' }));
    return;
  }
  host.replaceChildren(
    h(
      'table',
      { class: 'fundamentals' },
      h(
        'thead',
        {},
        h('tr', {}, ...['Period', 'Revenue', 'Net income', 'Margin', 'EPS', ''].map((t) => h('th', { text: t }))),
      ),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            {},
            h('td', { text: `${r.year} Q${r.quarter}` }),
            h('td', { class: 'num', text: money(r.revenue) }),
            h('td', { class: `num ${r.netIncome !== null && r.netIncome < 0 ? 'neg' : ''}`, text: money(r.netIncome) }),
            h('td', {
              class: 'num',
              text: r.revenue && r.netIncome !== null ? `${((r.netIncome / r.revenue) * 100).toFixed(1)}%` : '—',
            }),
            h('td', { class: 'num', text: plain(r.eps) }),
            h(
              'td',
              { class: 'num' },
              h('a', {
                text: 'JSON',
                title: `Download ${r.key}`,
                attrs: { href: r.downloadUrl, download: fileName(ticker, r.year, `Q${r.quarter}`, 'json') },
              }),
            ),
          ),
        ),
      ),
    ),
  );
}
