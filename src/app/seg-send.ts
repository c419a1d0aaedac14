import { storeInstances, type PacsConnection } from '../pacs/index';
import type { SegExport } from '../worker/protocol';
import './seg-send.css';

/** The PACS study the case on show came from. */
export interface SegTarget {
  connection: PacsConnection;
  studyInstanceUID: string;
}

export interface SegSendOptions {
  /** Builds the SEG of the case on show (in the worker). */
  buildSeg(): Promise<SegExport>;
}

/**
 * "Send segmentation to PACS": shown once a study loaded from a PACS is segmented. It first builds
 * the DICOM SEG and says what it holds — the segments, and the study's patient module, which DICOM
 * requires a SEG of that study to repeat — and stores it (STOW-RS through the same connection the
 * study came from) only after the user confirms.
 */
export class SegSendPanel {
  private readonly button: HTMLButtonElement;
  private readonly confirmBox: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly moduleList: HTMLElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private target?: SegTarget;
  private pending?: SegExport;
  private busy = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly options: SegSendOptions,
  ) {
    root.replaceChildren();
    root.hidden = true;
    this.button = el('button', { id: 'seg-send-button', type: 'button' }, 'Send segmentation to PACS');
    this.summary = el('p', { id: 'seg-send-summary' });
    this.moduleList = el('dl', { id: 'seg-send-module' });
    this.sendButton = el('button', { id: 'seg-send-confirm', type: 'button' }, 'Send');
    this.cancelButton = el('button', { id: 'seg-send-cancel', type: 'button' }, 'Cancel');
    this.confirmBox = el('div', { id: 'seg-send-confirm-box', hidden: true });
    this.confirmBox.append(this.summary, this.moduleList, el('div', { className: 'buttons' }, this.sendButton, this.cancelButton));
    this.status = el('div', { id: 'seg-send-status', className: 'hint' });
    this.status.setAttribute('role', 'status');
    this.error = el('div', { id: 'seg-send-error', hidden: true });
    this.error.setAttribute('role', 'alert');
    root.append(this.button, this.confirmBox, this.status, this.error);
    this.button.addEventListener('click', () => void this.prepare());
    this.sendButton.addEventListener('click', () => void this.send());
    this.cancelButton.addEventListener('click', () => this.reset('Not sent.'));
  }

  /** The PACS study of the case now on show, or undefined (a folder, a file, the sample). */
  setTarget(target: SegTarget | undefined): void {
    this.target = target;
    this.root.hidden = !target;
    this.reset('');
  }

  private reset(status: string): void {
    this.pending = undefined;
    this.confirmBox.hidden = true;
    this.button.disabled = false;
    this.error.hidden = true;
    this.status.textContent = status;
  }

  /** Builds the SEG and asks for confirmation, saying what it repeats. */
  private async prepare(): Promise<void> {
    if (!this.target || this.busy) return;
    this.busy = true;
    this.button.disabled = true;
    this.error.hidden = true;
    this.status.textContent = 'Building the DICOM SEG…';
    try {
      const seg = await this.options.buildSeg();
      if (seg.studyInstanceUID !== this.target.studyInstanceUID) {
        throw new Error(`the SEG belongs to study ${seg.studyInstanceUID}, not to the PACS study ${this.target.studyInstanceUID} this case was loaded from`);
      }
      this.pending = seg;
      const kb = Math.round(seg.bytes.length / 1024);
      this.summary.textContent =
        `A DICOM Segmentation (${kb} kB) with ${seg.segments.length} segment${seg.segments.length === 1 ? '' : 's'} ` +
        `(${seg.segments.map((s) => s.label).join(', ')}) goes to this study on ${this.target.connection.baseUrl}. ` +
        'As the DICOM standard requires of an object in this study, it repeats the study\'s patient and study module; ' +
        'nothing else from the images\' headers:';
      this.moduleList.replaceChildren(...seg.repeatedModule.flatMap(([label, value]) => [el('dt', {}, label), el('dd', {}, value)]));
      this.confirmBox.hidden = false;
      this.status.textContent = 'Check and confirm.';
    } catch (error) {
      this.fail(`Could not build the DICOM SEG: ${message(error)}`);
    } finally {
      this.busy = false;
    }
  }

  private async send(): Promise<void> {
    const seg = this.pending;
    if (!seg || !this.target || this.busy) return;
    this.busy = true;
    this.sendButton.disabled = true;
    this.status.textContent = 'Sending…';
    try {
      await storeInstances(this.target.connection, this.target.studyInstanceUID, [seg.bytes]);
      this.reset(`Sent: the segmentation is stored in the study (series ${seg.seriesInstanceUID}).`);
      this.root.dataset.sent = seg.seriesInstanceUID;
    } catch (error) {
      this.fail(`Sending the segmentation failed: ${message(error)}`);
    } finally {
      this.busy = false;
      this.sendButton.disabled = false;
    }
  }

  private fail(text: string): void {
    this.pending = undefined;
    this.confirmBox.hidden = true;
    this.button.disabled = false;
    this.status.textContent = '';
    this.error.hidden = false;
    this.error.textContent = text;
  }
}

type Props<K extends keyof HTMLElementTagNameMap> = Partial<Pick<HTMLElementTagNameMap[K], Extract<keyof HTMLElementTagNameMap[K], 'id' | 'type' | 'className' | 'hidden'>>>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props<K>, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
