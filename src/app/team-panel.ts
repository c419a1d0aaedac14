import { joinLinkQrSvg, parseJoinLink, withoutJoinParts } from '../team/join-link';
import { cleanName } from '../team/presence';
import type { TeamController, TeamView } from './team-controller';
import './team-panel.css';

const NAME_KEY = 'holoct.team.name';

/**
 * Team section of the side panel: the member's name; "Start team session" (host: join code, link,
 * QR code, members, End session) or a join code (or the ?room=…#secret=… link, read once and removed
 * from the address bar); Present / Follow the presenter; every refusal shown in words.
 */
export class TeamPanel {
  private readonly name: HTMLInputElement;
  private readonly idle: HTMLElement;
  private readonly code: HTMLInputElement;
  private readonly active: HTMLElement;
  private readonly joinCode: HTMLElement;
  private readonly link: HTMLAnchorElement;
  private readonly qr: HTMLImageElement;
  private readonly hostBox: HTMLElement;
  private readonly members: HTMLUListElement;
  private readonly residuals: HTMLUListElement;
  private residualsKey = '';
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private readonly present: HTMLButtonElement;
  private readonly follow: HTMLInputElement;
  private readonly ctNote: HTMLElement;
  private readonly leave: HTMLButtonElement;
  private readonly startButton: HTMLButtonElement;
  private readonly joinButton: HTMLButtonElement;
  private membersKey = '';
  private qrFor = '';

  constructor(private readonly root: HTMLElement, private readonly team: TeamController) {
    root.replaceChildren();
    const details = el('details', { id: 'team-details' });
    this.name = el('input', { id: 'team-name', type: 'text', maxLength: 40, placeholder: 'Your name (shown to the team)' });
    this.name.setAttribute('aria-label', 'Your name in the team session');
    this.name.value = stored() ?? '';
    this.startButton = el('button', { id: 'team-start', type: 'button' }, 'Start team session');
    this.code = el('input', { id: 'team-code', type: 'text', placeholder: 'Join code', autocomplete: 'off', spellcheck: false, maxLength: 16 });
    this.code.setAttribute('aria-label', 'Join code');
    this.joinButton = el('button', { id: 'team-join', type: 'submit' }, 'Join');
    const joinForm = el('form', { id: 'team-join-form', className: 'row' }, this.code, this.joinButton);
    const offerPacs = el('input', { id: 'team-offer-pacs', type: 'checkbox' });
    const offerPacsLabel = el('label', { className: 'hint' }, offerPacs, ' Members may take the CT from the PACS (shares the study\'s and series\' UIDs with the room)');
    offerPacs.addEventListener('change', () => team.setOfferPacs(offerPacs.checked));
    this.idle = el('div', { id: 'team-idle' }, el('div', { className: 'buttons' }, this.startButton), offerPacsLabel, joinForm);

    this.joinCode = el('div', { id: 'team-join-code' });
    this.link = el('a', { id: 'team-link', target: '_blank', rel: 'noopener' });
    this.qr = el('img', { id: 'team-qr', alt: 'QR code of the join link' });
    this.hostBox = el('div', { id: 'team-host' }, el('div', { className: 'hint' }, 'Join code'), this.joinCode, this.qr, this.link);
    this.members = el('ul', { id: 'team-members' });
    this.residuals = el('ul', { id: 'team-residuals', className: 'hint' });
    this.present = el('button', { id: 'team-present', type: 'button' }, 'Present');
    this.follow = el('input', { id: 'team-follow', type: 'checkbox' });
    const followLabel = el('label', { className: 'hint' }, this.follow, ' Follow the presenter');
    this.leave = el('button', { id: 'team-leave', type: 'button' }, 'Leave');
    this.ctNote = el('div', { id: 'team-ct-note', className: 'hint', hidden: true });
    this.active = el('div', { id: 'team-active', hidden: true }, this.hostBox, el('h3', {}, 'Members'), this.members, this.residuals, el('div', { className: 'buttons' }, this.present, this.leave), followLabel, this.ctNote);
    this.status = el('div', { id: 'team-status', className: 'hint' });
    this.status.setAttribute('role', 'status');
    this.error = el('div', { id: 'team-error', hidden: true });
    this.error.setAttribute('role', 'alert');
    details.append(el('summary', {}, 'Team session'), this.name, this.idle, this.active, this.status, this.error);
    root.append(details);

    this.name.addEventListener('change', () => {
      this.name.value = cleanName(this.name.value);
      remember(this.name.value);
      team.setName(this.name.value);
    });
    team.setName(cleanName(this.name.value));
    this.startButton.addEventListener('click', () => void team.host());
    joinForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void team.join({ code: this.code.value });
    });
    this.leave.addEventListener('click', () => void team.leave());
    this.present.addEventListener('click', () => team.setPresenting(team.view.presenter !== team.view.memberId));
    this.follow.addEventListener('change', () => team.setFollowing(this.follow.checked));
    team.onChange((view) => this.render(view));
    this.render(team.view);

    // A join link opens the session by itself; the secret leaves the address bar at once.
    const ticket = parseJoinLink(location.href);
    if (ticket) {
      history.replaceState(history.state, '', withoutJoinParts(location.href));
      details.open = true;
      void team.join(ticket);
    }
  }

  private render(view: TeamView): void {
    const inSession = view.phase === 'hosting' || view.phase === 'member';
    this.idle.hidden = inSession;
    this.startButton.disabled = this.joinButton.disabled = view.phase === 'busy';
    this.active.hidden = !inSession;
    this.hostBox.hidden = view.phase !== 'hosting';
    this.leave.textContent = view.phase === 'hosting' ? 'End session for everyone' : 'Leave';
    this.present.textContent = view.presenter && view.presenter === view.memberId ? 'Stop presenting' : 'Present';
    this.follow.checked = view.following;
    this.follow.disabled = !view.presenter || view.presenter === view.memberId;
    if (view.phase === 'hosting' && view.joinCode) {
      this.joinCode.textContent = formatCode(view.joinCode);
      this.link.href = view.joinLink ?? '';
      this.link.textContent = 'Join link (contains the room secret)';
      if (view.joinLink && this.qrFor !== view.joinLink) {
        this.qrFor = view.joinLink;
        void joinLinkQrSvg(view.joinLink).then((svg) => {
          if (this.qrFor === view.joinLink) this.qr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
        });
      }
    }
    this.renderMembers(view);
    this.renderResiduals(view);
    this.ctNote.hidden = !view.ctNote;
    this.ctNote.textContent = view.ctNote ?? '';
    this.status.textContent = view.phase === 'busy' ? view.busyText ?? '' : inSession ? statusText(view) : '';
    this.error.hidden = !view.message;
    this.error.textContent = view.message ?? '';
  }

  /**
   * The room calibration's residual against each member who calibrated too (landmarks pinched in the
   * headset): rms and max in mm, also as data attributes for tools and tests.
   */
  private renderResiduals(view: TeamView): void {
    const rows = view.residuals.map((r) => ({ ...r, rms: r.rmsMm.toFixed(1), max: r.maxMm.toFixed(1) }));
    const key = rows.map((r) => `${r.clientId}:${r.name}:${r.rms}:${r.max}:${r.landmarks}`).join('|');
    if (key === this.residualsKey) return;
    this.residualsKey = key;
    this.residuals.replaceChildren(...rows.map((r) => {
      const li = el('li', {}, `Room calibration vs ${r.name}: residual rms ${r.rms} mm, max ${r.max} mm (${r.landmarks} landmarks)`);
      li.dataset.rmsMm = String(r.rmsMm);
      li.dataset.maxMm = String(r.maxMm);
      li.dataset.member = String(r.clientId);
      return li;
    }));
  }

  /** The list is rebuilt only when who is there (or who presents) changed, not on every head movement. */
  private renderMembers(view: TeamView): void {
    const key = view.members.map((m) => `${m.clientId}:${m.presence?.name}:${m.presence?.color}:${m.presence?.device}`).join('|') + `#${view.presenter}`;
    if (key === this.membersKey) return;
    this.membersKey = key;
    this.members.replaceChildren(...view.members.map((m) => {
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = m.presence?.color ?? '#8b949e';
      const presenting = view.presenter === String(m.clientId) ? ' — presenting' : '';
      const who = `${m.presence?.name ?? 'Connecting…'}${m.self ? ' (you)' : ''}${m.presence ? ` · ${m.presence.device}` : ''}${presenting}`;
      return el('li', {}, swatch, who);
    }));
  }
}

function statusText(view: TeamView): string {
  const n = view.members.length;
  const people = `${n} member${n === 1 ? '' : 's'}`;
  if (view.status === 'connected') return `Connected · ${people}`;
  if (view.status === 'disconnected') return `Connection lost: reconnecting… (${people} before)`;
  return `Connecting… · ${people}`;
}

/** "K7P2QXAB" → "K7P2 QXAB": easier to read out and to type on a headset keyboard. */
function formatCode(code: string): string {
  return code.length > 4 ? `${code.slice(0, 4)} ${code.slice(4)}` : code;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

function stored(): string | undefined {
  try {
    return localStorage.getItem(NAME_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function remember(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // storage disabled: the name is asked again next time
  }
}
