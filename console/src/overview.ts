// The market overview: every symbol's last price, change and change % (Query.snapshot), sortable by a column, a row opens the symbol.
import { SnapshotQuery, type SnapshotField, type SnapshotRow } from './documents.js';
import { byId, h } from './dom.js';
import { describeFailure } from './failure.js';
import { request } from './graphql.js';

/** One page covers an ordinary lake; more are fetched with "Show more". */
const PAGE = 200;

const COLUMNS: { field: SnapshotField; label: string; numeric: boolean; first: 'ASC' | 'DESC' }[] = [
  { field: 'TICKER', label: 'Symbol', numeric: false, first: 'ASC' },
  { field: 'CLOSE', label: 'Last', numeric: true, first: 'DESC' },
  { field: 'CHANGE', label: 'Change', numeric: true, first: 'DESC' },
  { field: 'CHANGE_PERCENT', label: 'Change %', numeric: true, first: 'DESC' },
  { field: 'VOLUME', label: 'Volume', numeric: true, first: 'DESC' },
];

export function overviewPanel(onPick: (ticker: string) => void): { refresh(): Promise<void> } {
  const host = byId('overview');
  let order: { field: SnapshotField; direction: 'ASC' | 'DESC' } = { field: 'CHANGE_PERCENT', direction: 'DESC' };
  let rows: SnapshotRow[] = [];
  let next: string | null = null;
  let total = 0;
  let seq = 0;

  const signed = (n: number | null, digits: number, suffix = '') =>
    n === null
      ? '—'
      : `${n > 0 ? '+' : ''}${n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}${suffix}`;
  const direction = (n: number | null) => (n === null || n === 0 ? '' : n > 0 ? 'up' : 'down');

  const render = () => {
    const newest = rows.reduce((d, r) => (r.date > d ? r.date : d), '');
    host.replaceChildren(
      h(
        'table',
        { class: 'overview' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...COLUMNS.map((c) => {
              const active = order.field === c.field;
              return h(
                'th',
                {
                  class: c.numeric ? 'num' : '',
                  attrs: { 'aria-sort': active ? (order.direction === 'ASC' ? 'ascending' : 'descending') : 'none' },
                },
                h('button', {
                  class: 'sort',
                  text: `${c.label}${active ? (order.direction === 'ASC' ? ' ▲' : ' ▼') : ''}`,
                  attrs: { type: 'button', 'data-sort': c.field },
                  on: {
                    click: () =>
                      void load(
                        active
                          ? { field: c.field, direction: order.direction === 'ASC' ? 'DESC' : 'ASC' }
                          : { field: c.field, direction: c.first },
                      ),
                  },
                }),
              );
            }),
            h('th', { text: 'Date' }),
          ),
        ),
        h(
          'tbody',
          {},
          ...rows.map((r) =>
            h(
              'tr',
              {
                attrs: { 'data-ticker': r.ticker, tabindex: '0' },
                on: {
                  click: () => onPick(r.ticker),
                  keydown: (e) => (e as KeyboardEvent).key === 'Enter' && onPick(r.ticker),
                },
              },
              h('td', { class: 'ticker', text: r.ticker }),
              h('td', {
                class: 'num',
                text: r.close.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
              }),
              h('td', { class: `num ${direction(r.change)}`, text: signed(r.change, 2) }),
              h('td', { class: `num ${direction(r.changePercent)}`, text: signed(r.changePercent, 2, '%') }),
              h('td', { class: 'num', text: r.volume === null ? '—' : Math.round(r.volume).toLocaleString('en-US') }),
              h('td', {
                class: `small ${r.date === newest ? 'muted' : 'stale'}`,
                text: r.date,
                title: r.date === newest ? '' : 'older than the newest bar in the lake',
              }),
            ),
          ),
        ),
      ),
    );
    if (next)
      host.append(
        h('button', {
          class: 'small-button',
          text: `Show more (${rows.length} of ${total})`,
          attrs: { type: 'button' },
          on: { click: () => void more() },
        }),
      );
  };

  const fetchPage = (after: string | null) => request(SnapshotQuery, { orderBy: order, first: PAGE, after });

  const load = async (nextOrder = order) => {
    const mine = ++seq;
    order = nextOrder;
    try {
      const { snapshot } = await fetchPage(null);
      if (mine !== seq) return;
      rows = snapshot.nodes;
      total = snapshot.totalCount;
      next = snapshot.pageInfo.hasNextPage ? snapshot.pageInfo.endCursor : null;
      render();
    } catch (error) {
      if (mine !== seq) return;
      rows = [];
      host.replaceChildren(h('p', { class: 'muted', text: `Overview unavailable: ${describeFailure(error).message}` }));
    }
  };

  const more = async () => {
    if (!next) return;
    const { snapshot } = await fetchPage(next);
    rows = [...rows, ...snapshot.nodes];
    next = snapshot.pageInfo.hasNextPage ? snapshot.pageInfo.endCursor : null;
    render();
  };

  return { refresh: () => load() };
}
