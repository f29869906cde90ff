// Light and dark: follows the system setting until the user picks one with the toggle (remembered in this browser).
import type { ChartTheme } from './chart.js';

type Choice = 'auto' | 'light' | 'dark';
const STORAGE = 'lakeql.theme';
const NEXT: Record<Choice, Choice> = { auto: 'light', light: 'dark', dark: 'auto' };
const LABEL: Record<Choice, string> = { auto: 'Theme: auto', light: 'Theme: light', dark: 'Theme: dark' };

const media = matchMedia('(prefers-color-scheme: dark)');

function choice(): Choice {
  const saved = localStorage.getItem(STORAGE);
  return saved === 'light' || saved === 'dark' ? saved : 'auto';
}

export function isDark(): boolean {
  const c = choice();
  return c === 'dark' || (c === 'auto' && media.matches);
}

/** The chart's colours, read from the page's CSS variables so both stay in step. */
export function chartTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return { background: v('--card'), text: v('--text'), grid: v('--grid'), border: v('--line') };
}

/** Applies the theme now and on every change (toggle or system); `onChange` repaints what CSS cannot reach. */
export function setUpTheme(button: HTMLButtonElement, onChange: () => void): void {
  const apply = () => {
    document.documentElement.dataset.theme = isDark() ? 'dark' : 'light';
    button.textContent = isDark() ? '☾' : '☀';
    button.title = `${LABEL[choice()]} (click to change)`;
    button.setAttribute('aria-label', LABEL[choice()]);
    onChange();
  };
  button.addEventListener('click', () => {
    const next = NEXT[choice()];
    if (next === 'auto') localStorage.removeItem(STORAGE);
    else localStorage.setItem(STORAGE, next);
    apply();
  });
  media.addEventListener('change', apply);
  apply();
}
