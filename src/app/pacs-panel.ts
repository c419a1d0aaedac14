import type { DicomInputFile } from '../dicom/types';
import { retrieveSeries, searchSeries, searchStudiesByText, type PacsConnection, type PacsSeries, type PacsStudy } from '../pacs/index';
import './pacs-panel.css';

/** The app's same-origin DICOMweb proxy (vite.config.ts, HOLOCT_PACS_URL; docs/pacs.md). */
export const DEFAULT_PACS_URL = '/dicomweb';
const URL_KEY = 'holoct.pacs.url';

/** Where loaded instances came from: the server, the study (a SEG goes back there) and the series (a team may take it from there). */
export interface PacsOrigin {
  connection: PacsConnection;
  studyInstanceUID: string;
  seriesInstanceUID: string;
}

export interface PacsPanelOptions {
  /**
   * Hands the retrieved instances to the app: the same worker `open()` / `segment()` path as files
   * from a folder. Resolves when the app is done with them (it shows its own progress and errors
   * and keeps the current hologram on failure). `origin` is the study they came from, where a
   * segmentation may be sent back.
   */
  load(files: DicomInputFile[], origin: PacsOrigin): Promise<void>;
  /** Server URL shown first (default: the last one used on this device, else {@link DEFAULT_PACS_URL}). */
  defaultUrl?: string;
  /** Injected for tests; default `fetch`. */
  fetch?: typeof fetch;
}

/**
 * PACS section of the side panel: server URL, one search box (patient name, ID, accession number
 * or study date), studies → series, Load with progress in images and Cancel. Patient names and IDs
 * from the search are shown here and nowhere else. Errors name the reason and leave the loaded
 * hologram alone.
 */
export class PacsPanel {
  private readonly details: HTMLDetailsElement;
  private readonly url: HTMLInputElement;
  private readonly query: HTMLInputElement;
  private readonly searchButton: HTMLButtonElement;
  private readonly results: HTMLUListElement;
  private readonly loadButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly progress: HTMLElement;
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private selected?: PacsSeries;
  private controller?: AbortController;
  private loading = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly options: PacsPanelOptions,
  ) {
    root.replaceChildren();
    this.details = el('details', { id: 'pacs-details' });
    const summary = el('summary', {}, 'PACS (DICOMweb)');
    const form = el('form', { id: 'pacs-search' });
    this.url = el('input', { id: 'pacs-url', type: 'text', spellcheck: false });
    this.url.value = options.defaultUrl ?? storedUrl() ?? DEFAULT_PACS_URL;
    this.url.setAttribute('aria-label', 'DICOMweb server URL');
    this.query = el('input', { id: 'pacs-query', type: 'search', placeholder: 'patient name, ID, accession or date' });
    this.query.setAttribute('aria-label', 'Search the PACS');
    this.searchButton = el('button', { id: 'pacs-search-button', type: 'submit' }, 'Search');
    const urlLabel = el('label', { className: 'hint' }, 'Server ');
    urlLabel.append(this.url);
    form.append(urlLabel, el('div', { className: 'row' }, this.query, this.searchButton));
    this.results = el('ul', { id: 'pacs-results' });
    this.progress = el('div', { id: 'pacs-progress', hidden: true });
    this.progress.append(el('div', { className: 'bar' }, el('div', { className: 'fill' })), el('span', { className: 'label' }));
    this.loadButton = el('button', { id: 'pacs-load', type: 'button', disabled: true }, 'Load series');
    this.cancelButton = el('button', { id: 'pacs-cancel', type: 'button', hidden: true }, 'Cancel');
    this.status = el('div', { id: 'pacs-status', className: 'hint' });
    this.status.setAttribute('role', 'status');
    this.error = el('div', { id: 'pacs-error', hidden: true });
    this.error.setAttribute('role', 'alert');
    this.details.append(summary, form, this.results, el('div', { className: 'buttons' }, this.loadButton, this.cancelButton), this.progress, this.status, this.error);
    root.append(this.details);

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.search();
    });
    this.loadButton.addEventListener('click', () => void this.loadSelected());
    this.cancelButton.addEventListener('click', () => this.controller?.abort(new DOMException('Retrieval cancelled', 'AbortError')));
  }

  /** The server this panel talks to now (its URL box). */
  connection(): PacsConnection {
    const baseUrl = this.url.value.trim();
    return { baseUrl, fetch: this.options.fetch };
  }

  /** Searches with the box's text (empty: all studies, up to 100). */
  async search(): Promise<void> {
    this.clearError();
    this.selected = undefined;
    this.updateLoadButton();
    this.results.replaceChildren();
    this.searchButton.disabled = true;
    this.status.textContent = 'Searching…';
    try {
      const connection = this.connection();
      const studies = await searchStudiesByText(connection, this.query.value);
      rememberUrl(connection.baseUrl);
      this.status.textContent = studies.length ? `${studies.length} stud${studies.length === 1 ? 'y' : 'ies'} found` : 'No study matches';
      for (const study of studies) this.results.append(this.studyRow(study));
    } catch (error) {
      this.status.textContent = '';
      this.showError(`PACS search failed: ${message(error)}`);
    } finally {
      this.searchButton.disabled = false;
    }
  }

  private studyRow(study: PacsStudy): HTMLLIElement {
    const li = el('li', { className: 'study' });
    li.dataset.studyUid = study.studyInstanceUID;
    const who = [displayName(study.patientName), study.patientId ? `(${study.patientId})` : ''].filter(Boolean).join(' ') || 'unnamed patient';
    const what = [formatDate(study.studyDate), study.description, study.modalities.join('/'), study.seriesCount !== undefined ? `${study.seriesCount} series` : '', study.accessionNumber ? `acc. ${study.accessionNumber}` : '']
      .filter(Boolean).join(' · ');
    const button = el('button', { type: 'button', className: 'study-button' }, el('strong', {}, who), el('span', { className: 'hint' }, what));
    button.setAttribute('aria-expanded', 'false');
    const seriesList = el('ul', { className: 'series-list', hidden: true });
    button.addEventListener('click', () => void this.toggleStudy(study, button, seriesList));
    li.append(button, seriesList);
    return li;
  }

  private async toggleStudy(study: PacsStudy, button: HTMLButtonElement, list: HTMLUListElement): Promise<void> {
    if (!list.hidden) {
      list.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      return;
    }
    list.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    if (list.childElementCount) return;
    this.clearError();
    list.append(el('li', { className: 'hint' }, 'Listing series…'));
    try {
      const series = await searchSeries(this.connection(), study.studyInstanceUID);
      list.replaceChildren(...series.map((s) => this.seriesRow(s)));
      if (!series.length) list.append(el('li', { className: 'hint' }, 'No series in this study'));
      // Preselect the CT series with the most images: the likely volume to segment.
      const best = series.filter((s) => s.modality === 'CT').sort((a, b) => (b.instanceCount ?? 0) - (a.instanceCount ?? 0))[0];
      if (best && !this.selected) this.select(best);
    } catch (error) {
      list.replaceChildren();
      list.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      this.showError(`Could not list the series: ${message(error)}`);
    }
  }

  private seriesRow(series: PacsSeries): HTMLLIElement {
    const li = el('li', { className: 'series' });
    li.dataset.seriesUid = series.seriesInstanceUID;
    const radio = el('input', { type: 'radio', name: 'pacs-series', value: series.seriesInstanceUID });
    radio.addEventListener('change', () => { if (radio.checked) this.select(series); });
    const count = series.instanceCount !== undefined ? `${series.instanceCount} image${series.instanceCount === 1 ? '' : 's'}` : '';
    const text = [series.seriesNumber !== undefined ? `#${series.seriesNumber}` : '', series.description || 'no description', `— ${[series.modality || '?', count].filter(Boolean).join(', ')}`]
      .filter(Boolean).join(' ');
    const label = el('label', {}, radio, ` ${text}`);
    li.append(label);
    return li;
  }

  private select(series: PacsSeries): void {
    this.selected = series;
    for (const input of this.results.querySelectorAll<HTMLInputElement>('input[name="pacs-series"]')) {
      input.checked = input.value === series.seriesInstanceUID;
    }
    this.updateLoadButton();
  }

  private updateLoadButton(): void {
    this.loadButton.disabled = !this.selected || this.loading;
  }

  /** Retrieves the selected series (progress in images, cancellable) and hands it to the app. */
  async loadSelected(): Promise<void> {
    const series = this.selected;
    if (!series || this.loading) return;
    this.clearError();
    this.loading = true;
    this.updateLoadButton();
    this.controller = new AbortController();
    this.cancelButton.hidden = false;
    this.showProgress(0, series.instanceCount ?? 0);
    let files: DicomInputFile[] | undefined;
    try {
      files = await retrieveSeries(this.connection(), series, {
        signal: this.controller.signal,
        onProgress: (done, total) => this.showProgress(done, total),
      });
    } catch (error) {
      const cancelled = this.controller.signal.aborted;
      this.status.textContent = cancelled ? 'Retrieval cancelled' : '';
      if (!cancelled) this.showError(`Could not retrieve the series: ${message(error)}`);
    } finally {
      this.cancelButton.hidden = true;
      this.progress.hidden = true;
      this.controller = undefined;
    }
    try {
      if (files) {
        // The app reports opening and segmenting (progress, case line, errors) in its own status.
        this.status.textContent = `Retrieved ${series.description || series.seriesInstanceUID} (${files.length} images)`;
        await this.options.load(files, { connection: this.connection(), studyInstanceUID: series.studyInstanceUID, seriesInstanceUID: series.seriesInstanceUID });
      }
    } catch (error) {
      this.showError(`Could not open the retrieved series: ${message(error)}`);
    } finally {
      this.loading = false;
      this.updateLoadButton();
    }
  }

  private showProgress(done: number, total: number): void {
    this.progress.hidden = false;
    const fraction = total ? done / total : 0;
    (this.progress.querySelector('.fill') as HTMLElement).style.width = `${Math.round(fraction * 100)}%`;
    (this.progress.querySelector('.label') as HTMLElement).textContent =
      `Retrieving ${Math.round(fraction * 100)}% — ${done} of ${total || '?'} images`;
    this.progress.dataset.done = String(done);
    this.progress.dataset.total = String(total);
  }

  private showError(text: string): void {
    this.error.hidden = false;
    this.error.textContent = text;
  }

  private clearError(): void {
    this.error.hidden = true;
    this.error.textContent = '';
  }

  dispose(): void {
    this.controller?.abort();
    this.root.replaceChildren();
  }
}

type Props<K extends keyof HTMLElementTagNameMap> = Partial<Pick<HTMLElementTagNameMap[K], Extract<keyof HTMLElementTagNameMap[K], 'id' | 'type' | 'className' | 'hidden' | 'disabled' | 'placeholder' | 'name' | 'value' | 'spellcheck'>>>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props<K>, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

/** DICOM PN `FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX` → `FAMILY, GIVEN MIDDLE`. */
function displayName(pn?: string): string {
  if (!pn) return '';
  const [family = '', given = '', middle = ''] = pn.split('^');
  const rest = [given, middle].filter(Boolean).join(' ');
  return rest ? `${family}, ${rest}` : family;
}

function formatDate(date?: string): string {
  return date && /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}` : (date ?? '');
}

function storedUrl(): string | undefined {
  try {
    return localStorage.getItem(URL_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function rememberUrl(url: string): void {
  try {
    localStorage.setItem(URL_KEY, url);
  } catch {
    // storage disabled: the field just starts from the default next time
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
