// The symbol finder: search by ticker or company name over Query.symbols, results as a list to pick from with the mouse or the keyboard.
import { SymbolsQuery } from './documents.js';
import { byId, h } from './dom.js';
import { request } from './graphql.js';

/** Enough to fill the sidebar; a prefix narrows it. */
const SHOWN = 200;

export function symbolFinder(
  onPick: (ticker: string) => void,
  onError: (error: Error) => void,
): { refresh(): Promise<void>; select(ticker: string): void } {
  const input = byId<HTMLInputElement>('search');
  const list = byId<HTMLUListElement>('symbols');
  let selected: string | null = null;
  let seq = 0;

  const render = (symbols: { ticker: string; name: string | null }[]) => {
    list.replaceChildren(
      ...symbols.map(({ ticker, name }) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              class: ticker === selected ? 'symbol active' : 'symbol',
              title: name ?? '',
              attrs: { type: 'button', 'data-ticker': ticker },
              on: { click: () => onPick(ticker) },
            },
            h('span', { class: 'symbol-ticker', text: ticker }),
            name ? h('span', { class: 'symbol-name', text: name }) : null,
          ),
        ),
      ),
    );
    if (symbols.length === 0)
      list.append(h('li', { class: 'muted small', text: 'No symbol or company name matches that.' }));
  };

  const refresh = async () => {
    const mine = ++seq;
    const query = input.value.trim() || null;
    try {
      const { symbols } = await request(SymbolsQuery, { query, first: SHOWN, after: null });
      if (mine === seq) render(symbols.nodes);
    } catch (error) {
      onError(error as Error);
    }
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 150);
  });
  // Arrow keys move through the results (from the box and within the list); Enter opens the highlighted
  // one, else an exact match, else the first result; Escape returns to the box.
  const buttons = () => [...list.querySelectorAll<HTMLButtonElement>('button.symbol')];
  const focusAt = (i: number) => buttons()[Math.max(0, Math.min(i, buttons().length - 1))]?.focus();
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      focusAt(0);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(timer);
      void refresh().then(() => {
        const all = buttons();
        const pick = all.find((b) => b.dataset.ticker === input.value.trim().toUpperCase()) ?? all[0];
        if (pick) onPick(pick.dataset.ticker!);
      });
    }
  });
  list.addEventListener('keydown', (e) => {
    const all = buttons();
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    if (e.key === 'ArrowDown') focusAt(at + 1);
    else if (e.key === 'ArrowUp') at === 0 ? input.focus() : focusAt(at - 1);
    else if (e.key === 'Escape') input.focus();
    else return;
    e.preventDefault();
  });

  return {
    refresh,
    select(ticker) {
      selected = ticker;
      for (const b of list.querySelectorAll<HTMLButtonElement>('button.symbol'))
        b.classList.toggle('active', b.dataset.ticker === ticker);
    },
  };
}
