// The chart's controls: timeframe, range presets and a custom range, log scale, moving averages, and symbols to compare.
import { byId, h, notice } from './dom.js';
import { AVERAGES } from './indicators.js';
import { ADJUSTMENTS, isIntradayTimeframe, MAX_COMPARE, RANGES, TIMEFRAMES, type View } from './route.js';

interface Host {
  get(): View;
  go(change: Partial<View>): void;
}

function segmented<T extends string>(
  host: HTMLElement,
  items: { value: T; label: string; title?: string }[],
  active: T | null,
  attr: string,
  pick: (value: T) => void,
): void {
  host.replaceChildren(
    ...items.map((item) =>
      h('button', {
        class: item.value === active ? 'active' : '',
        text: item.label,
        title: item.title ?? '',
        attrs: { type: 'button', [`data-${attr}`]: item.value, 'aria-pressed': String(item.value === active) },
        on: { click: () => pick(item.value) },
      }),
    ),
  );
}

export function chartToolbar(host: Host): {
  render(hasMinute: boolean): void;
  showCompared(colors: Map<string, string>): void;
} {
  const from = byId<HTMLInputElement>('range-from');
  const to = byId<HTMLInputElement>('range-to');
  byId<HTMLFormElement>('custom-range').addEventListener('submit', (e) => {
    e.preventDefault();
    if (from.value && to.value && from.value > to.value) {
      notice('The custom range ends before it starts.');
      return;
    }
    host.go({ range: 'CUSTOM', from: from.value || null, to: to.value || null });
  });
  byId<HTMLInputElement>('log-scale').addEventListener('change', (e) =>
    host.go({ log: (e.target as HTMLInputElement).checked }),
  );
  byId<HTMLFormElement>('compare-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = byId<HTMLInputElement>('compare-input');
    const view = host.get();
    const wanted = input.value
      .toUpperCase()
      .split(/[\s,]+/)
      .filter(Boolean);
    const next = [...new Set([...view.compare, ...wanted])].filter((t) => t !== view.ticker);
    if (next.length > MAX_COMPARE) notice(`At most ${MAX_COMPARE} symbols can be compared at once.`);
    input.value = '';
    host.go({ compare: next.slice(0, MAX_COMPARE) });
  });

  return {
    render(hasMinute) {
      const view = host.get();
      segmented(
        byId('timeframes'),
        TIMEFRAMES.filter((t) => !isIntradayTimeframe(t.value) || hasMinute).map((t) => ({
          ...t,
          title: t.value.toLowerCase(),
        })),
        view.timeframe,
        'timeframe',
        (timeframe) => host.go({ timeframe }),
      );
      segmented(
        byId('ranges'),
        RANGES.filter((r) => r.timeframe !== 'MINUTE' || hasMinute).map((r) => ({ value: r.id, label: r.label })),
        view.range === 'CUSTOM' ? null : view.range,
        'range',
        (range) => host.go({ range }),
      );
      segmented(byId('adjustments'), ADJUSTMENTS, view.adjustment, 'adjustment', (adjustment) =>
        host.go({ adjustment }),
      );
      from.value = view.range === 'CUSTOM' ? (view.from ?? '') : '';
      to.value = view.range === 'CUSTOM' ? (view.to ?? '') : '';
      byId<HTMLInputElement>('log-scale').checked = view.log;
      byId<HTMLInputElement>('log-scale').disabled = view.compare.length > 0;
      byId('averages').replaceChildren(
        ...AVERAGES.map((a) => {
          const box = h('input', { attrs: { type: 'checkbox', 'data-average': a.id } });
          box.checked = view.averages.includes(a.id);
          box.addEventListener('change', () =>
            host.go({
              averages: AVERAGES.map((x) => x.id).filter((id) =>
                id === a.id ? box.checked : view.averages.includes(id),
              ),
            }),
          );
          return h('label', { class: 'chip', attrs: { style: `--chip:${a.color}` } }, box, ` ${a.label}`);
        }),
      );
    },
    showCompared(colors) {
      const view = host.get();
      byId('compared').replaceChildren(
        ...view.compare.map((ticker) =>
          h(
            'span',
            {
              class: 'chip compared',
              attrs: { style: `--chip:${colors.get(ticker) ?? 'var(--muted)'}`, 'data-compare': ticker },
            },
            h('span', { text: ticker }),
            h('button', {
              text: '×',
              title: `Stop comparing ${ticker}`,
              attrs: { type: 'button', 'aria-label': `Stop comparing ${ticker}` },
              on: { click: () => host.go({ compare: view.compare.filter((t) => t !== ticker) }) },
            }),
          ),
        ),
      );
    },
  };
}
