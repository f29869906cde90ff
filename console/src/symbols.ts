// The symbol finder: prefix search over Query.symbols, results as a list to pick from (keyboard friendly).
import { SymbolsQuery } from './documents.js';
import { byId, h } from './dom.js';
import { request } from './graphql.js';

/** Enough to fill the sidebar; a prefix narrows it. */
const SHOWN = 200;

export function symbolFinder(onPick: (ticker: string) => void, onError: (error: Error) => void): { refresh(): Promise<void>; select(ticker: string): void } {
  const input = byId<HTMLInputElement>('search');
  const list = byId<HTMLUListElement>('symbols');
  let selected: string | null = null;
  let seq = 0;

  const render = (tickers: string[]) => {
    list.replaceChildren(
      ...tickers.map((ticker) =>
        h('li', {}, h('button', { class: ticker === selected ? 'symbol active' : 'symbol', text: ticker, attrs: { type: 'button', 'data-ticker': ticker }, on: { click: () => onPick(ticker) } })),
      ),
    );
    if (tickers.length === 0) list.append(h('li', { class: 'muted small', text: 'No symbol starts with that.' }));
  };

  const refresh = async () => {
    const mine = ++seq;
    const prefix = input.value.trim().toUpperCase() || null;
    try {
      const { symbols } = await request(SymbolsQuery, { prefix, first: SHOWN, after: null });
      if (mine === seq) render(symbols.nodes.map((n) => n.ticker));
    } catch (error) {
      onError(error as Error);
    }
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 150);
  });
  // Enter picks the only match, or an exact one.
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const buttons = [...list.querySelectorAll<HTMLButtonElement>('button.symbol')];
    const exact = buttons.find((b) => b.dataset.ticker === input.value.trim().toUpperCase());
    const pick = exact ?? (buttons.length === 1 ? buttons[0] : undefined);
    if (pick) onPick(pick.dataset.ticker!);
  });

  return {
    refresh,
    select(ticker) {
      selected = ticker;
      for (const b of list.querySelectorAll<HTMLButtonElement>('button.symbol')) b.classList.toggle('active', b.dataset.ticker === ticker);
    },
  };
}
