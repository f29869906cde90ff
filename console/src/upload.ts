// Drag and drop a Parquet file onto the drop zone: uploadTickFile as a GraphQL multipart request, with a live progress bar.
import { UploadTickFileMutation, type Resolution } from './documents.js';
import { byId, bytes, h } from './dom.js';
import { upload } from './graphql.js';

export interface UploadPanel {
  setSymbol(ticker: string): void;
}

/**
 * The bar follows bytes as the browser sends them; the gateway streams them on to the store as
 * they arrive, then validates the file. So the bar holds at 99% until the gateway says the file
 * is stored, and only then shows 100%.
 */
export function uploadPanel(onStored: (ticker: string, year: number) => void): UploadPanel {
  let ticker = '';
  const year = h('input', { attrs: { type: 'number', min: '1900', max: '2100', value: String(new Date().getUTCFullYear()), 'aria-label': 'Year', name: 'year' } });
  const resolution = h('select', { attrs: { 'aria-label': 'Resolution', name: 'resolution' } }, h('option', { text: 'daily', attrs: { value: 'DAILY' } }), h('option', { text: 'minute', attrs: { value: 'MINUTE' } }));
  const month = h('input', { attrs: { type: 'number', min: '1', max: '12', value: '1', 'aria-label': 'Month', name: 'month', disabled: '' } });
  resolution.addEventListener('change', () => (month.disabled = resolution.value !== 'MINUTE'));
  const picker = h('input', { attrs: { type: 'file', accept: '.parquet', hidden: '' } });
  const bar = h('div', { class: 'bar-fill' });
  const progress = h('div', { class: 'progress', attrs: { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', 'data-testid': 'upload-progress' } }, bar);
  const status = h('div', { class: 'upload-status small', attrs: { 'data-testid': 'upload-status', 'aria-live': 'polite' } });
  const zone = h('div', { class: 'dropzone', attrs: { tabindex: '0', 'data-testid': 'dropzone' } },
    h('strong', { text: 'Drop a Parquet file here' }), h('span', { class: 'muted small', text: ' or click to choose one' }));
  byId('upload').replaceChildren(
    h('div', { class: 'upload-form' },
      h('label', {}, 'Year ', year), h('label', {}, 'Resolution ', resolution), h('label', {}, 'Month ', month)),
    zone, picker, progress, status,
  );

  const setProgress = (percent: number) => {
    bar.style.width = `${percent}%`;
    progress.setAttribute('aria-valuenow', String(Math.round(percent)));
  };

  const start = async (file: File) => {
    // A year in the file name (ticks_2019.parquet, AAPL-2019.parquet) is the likeliest target.
    const named = /(?:^|[^0-9])((?:19|20)\d\d)(?:[^0-9]|$)/.exec(file.name)?.[1];
    if (named) year.value = named;
    const target = { symbol: ticker, year: Number(year.value), resolution: resolution.value as Resolution, month: resolution.value === 'MINUTE' ? Number(month.value) : null };
    progress.classList.remove('failed', 'done');
    setProgress(0);
    status.textContent = `Uploading ${file.name} (${bytes(file.size)}) as ${target.symbol} ${target.year}…`;
    try {
      const { uploadTickFile } = await upload(UploadTickFileMutation, { ...target, file: null }, file, ({ sent, total }) => {
        setProgress(Math.min(99, (sent / Math.max(1, total)) * 100));
        if (sent >= total) status.textContent = `Validating ${file.name}…`;
      });
      setProgress(100);
      progress.classList.add('done');
      status.textContent = `Stored ${uploadTickFile.key} (${bytes(uploadTickFile.size)})`;
      onStored(target.symbol, target.year);
    } catch (error) {
      progress.classList.add('failed');
      status.textContent = `Upload failed: ${(error as Error).message}`;
    }
  };

  zone.addEventListener('click', () => picker.click());
  zone.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && picker.click());
  picker.addEventListener('change', () => picker.files?.[0] && void start(picker.files[0]));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void start(file);
  });

  return {
    setSymbol(next) {
      ticker = next;
      zone.querySelector('strong')!.textContent = `Drop a Parquet file here to add it to ${next}`;
    },
  };
}
