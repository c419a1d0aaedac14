import { Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import type { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera';
import type { Scene } from '@babylonjs/core/scene';
import { PresenceView } from '../scene/presence-view';
import type { CasePackage, OpenedCase } from '../team/case-package';
import { buildJoinLink } from '../team/join-link';
import { RoomClient } from '../team/room-client';
import { memberResiduals, type MemberResidual } from '../team/room-residual';
import { TeamSession, type CtFromPacs, type TeamMember, type TeamStatus } from '../team/team-session';
import type { Effector } from '../xr/effector';
import { PresenceSampler } from './presence-sampler';

/** What the team controller needs from the app. */
export interface TeamAppHooks {
  scene: Scene;
  camera: ArcRotateCamera;
  requestRender(): void;
  /** Room frame → this device's world (the store's local calibration, issue 8 §4); identity when absent. */
  calibration?(): { position: readonly number[]; rotation: readonly number[] };
  /** This device's landmark pinches in its room frame once it calibrated by landmarks (shared for the residual). */
  landmarks?(): [number, number, number][] | null;
  /**
   * Host: the case on show as a package (built on demand, off the page: heavy), or why there is none.
   * `offerPacs`: name the PACS series it came from, so members may take the CT from there.
   */
  casePackage(options: { offerPacs: boolean }): Promise<CasePackage | string>;
  /** Joiner: show this case instead of the current one. Throws to refuse; the current case stays then. */
  showCase(opened: OpenedCase): Promise<void> | void;
  /** Binds the app's state store to the session's document (src/state bindSharedState); returns its dispose. */
  bindSharedState?(session: TeamSession): () => void;
  /** Sets who presents through the app's store (the shared state's one reducer; the binding writes the document). */
  setPresenter?(memberId: string | null): void;
  /** The headset's inputs while in XR. */
  effectors(): readonly Effector[] | undefined;
  pointerInside(): boolean;
  /** Registers the one listener told when another case replaces the one on show. */
  onCaseReplaced?(listener: () => void): void;
  /** Joiner: takes a series from the PACS this device reaches (the case's CT at full resolution, when it is the same). */
  ctFromPacs?: CtFromPacs;
  /** In XR, following: the headset shows the presenter's side (the presenter's head, room frame). */
  followInHeadset?(presenterHead: [number, number, number]): void;
}

export interface TeamView {
  phase: 'idle' | 'busy' | 'hosting' | 'member';
  status?: TeamStatus;
  busyText?: string;
  joinCode?: string;
  joinLink?: string;
  members: TeamMember[];
  presenter: string | null;
  memberId?: string;
  following: boolean;
  /** The residual between this device's landmarks and each other member who calibrated (issue 8 §4). */
  residuals: MemberResidual[];
  /** Last refusal or end reason, fit to show. */
  message?: string;
  /** Joiner: where the shared case's CT came from, when the PACS was tried. */
  ctNote?: string;
}

const PRESENCE_HZ = 30;

/**
 * A team session on this page: starts or joins it, shows the others (presence view), publishes this
 * device's presence at 30 Hz, follows the presenter on request, and ends cleanly. The panel renders
 * {@link view}; it changes through {@link onChange}.
 */
export class TeamController {
  session?: TeamSession;
  view: TeamView = { phase: 'idle', members: [], presenter: null, following: false, residuals: [] };
  readonly blobCache = new Map<string, Promise<Uint8Array>>();
  private readonly client = new RoomClient();
  private readonly listeners = new Set<(view: TeamView) => void>();
  private presenceView?: PresenceView;
  private timer?: ReturnType<typeof setInterval>;
  private unbind?: () => void;
  private name = 'Guest';
  /** Host's choice: a PACS-loaded case's package names its series (UIDs) for members to fetch. Off unless chosen. */
  private offerPacs = false;
  private readonly sampler: PresenceSampler;
  private readonly followTarget = new Vector3();
  /** The room frame in this world: presence is published and drawn relative to it. */
  private readonly roomNode: TransformNode;

  constructor(private readonly hooks: TeamAppHooks) {
    this.roomNode = new TransformNode('team-room-frame', hooks.scene);
    this.roomNode.rotationQuaternion = new Quaternion();
    this.sampler = new PresenceSampler(hooks.scene, { roomNode: this.roomNode, effectors: hooks.effectors, pointerInside: hooks.pointerInside });
    hooks.onCaseReplaced?.(() => void this.caseReplaced());
  }

  /**
   * Another case is on show here: the room shares the old one, and this device's state is no longer
   * bound to it. A host ends the room for everyone; a member leaves it.
   */
  private async caseReplaced(): Promise<void> {
    const s = this.session;
    if (!s) return;
    const why = 'Another case was opened on this device, so it left the team session (start a new one to share that case).';
    if (s.role === 'host') await s.endForEveryone().catch(() => undefined);
    else s.leave();
    this.set({ message: why });
  }

  onChange(listener: (view: TeamView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setName(name: string): void {
    this.name = name;
  }

  setOfferPacs(on: boolean): void {
    this.offerPacs = on;
  }

  async host(): Promise<void> {
    if (this.view.phase !== 'idle') return;
    await this.run('Preparing the case for the team…', async () => {
      const pkg = await this.hooks.casePackage({ offerPacs: this.offerPacs });
      if (typeof pkg === 'string') throw new Error(pkg);
      this.set({ busyText: 'Opening the team session…' });
      const session = await TeamSession.host(this.options(), pkg);
      this.attach(session, 'hosting');
      this.set({ joinCode: session.room.joinCode, joinLink: buildJoinLink(location.origin, session.room) });
    });
  }

  async join(ticket: { code: string } | { roomId: string; secret: string }): Promise<void> {
    if (this.view.phase !== 'idle') return;
    await this.run('Joining the team session…', async () => {
      const session = await TeamSession.join(this.options(), ticket);
      try {
        this.set({ busyText: 'Downloading the case…' });
        const opened = await session.loadCase({ ctFromPacs: this.hooks.ctFromPacs });
        await this.hooks.showCase(opened);
        this.set({ ctNote: opened.ctSource === 'pacs' ? 'CT taken from the PACS at full resolution (the same voxels as the host\'s).' : opened.ctNote });
      } catch (error) {
        session.leave();
        throw error;
      }
      this.attach(session, 'member');
    });
  }

  /** Member: leave (the room stays). Host: end the room for everyone. */
  async leave(): Promise<void> {
    const s = this.session;
    if (!s) return;
    if (s.role === 'host') await s.endForEveryone().catch((e: unknown) => this.set({ message: messageOf(e) }));
    else s.leave();
  }

  setPresenting(on: boolean): void {
    const s = this.session;
    if (!s) return;
    if (!on && s.presenter !== s.memberId) return;
    if (this.hooks.setPresenter && this.unbind) this.hooks.setPresenter(on ? s.memberId : null);
    else s.setPresenting(on);
  }

  setFollowing(on: boolean): void {
    this.set({ following: on });
    this.followPresenter();
  }

  /** The presenter's name when another member presents (the headset's menu shows it). */
  presenterName(): string | undefined {
    const { presenter, memberId } = this.view;
    if (!presenter || presenter === memberId) return undefined;
    return this.session?.presenterMember()?.presence?.name ?? 'a member';
  }

  dispose(): void {
    this.session?.leave();
  }

  private options() {
    const wsScheme = location.protocol === 'https:' ? 'wss' : 'ws';
    return { client: this.client, syncUrl: `${wsScheme}://${location.host}/sync`, blobCache: this.blobCache };
  }

  private async run(busyText: string, work: () => Promise<void>): Promise<void> {
    this.set({ phase: 'busy', busyText, message: undefined });
    try {
      await work();
    } catch (error) {
      this.set({ phase: 'idle', busyText: undefined, message: messageOf(error) });
    }
  }

  private attach(session: TeamSession, phase: 'hosting' | 'member'): void {
    this.session = session;
    this.unbind = this.hooks.bindSharedState?.(session);
    this.presenceView = new PresenceView(this.hooks.scene, { roomNode: this.roomNode });
    session.onMembers.add((members) => {
      this.syncRoomFrame();
      this.presenceView?.update(members);
      this.followPresenter();
      this.hooks.requestRender();
      this.set({ members, residuals: memberResiduals(this.hooks.landmarks?.() ?? null, members) });
    });
    session.onStatus.add((status) => this.set({ status }));
    session.onPresenter.add((presenter) => this.set({ presenter }));
    session.onEnded.add((reason) => this.detach(reason));
    this.timer = setInterval(() => {
      this.syncRoomFrame();
      const sample = this.sampler.sample();
      const landmarks = this.hooks.landmarks?.() ?? undefined;
      if (sample) session.publishPresence({ ...sample, name: this.name, landmarks }, performance.now());
    }, 1000 / PRESENCE_HZ);
    this.set({ phase, status: session.status, busyText: undefined, members: session.members(), presenter: session.presenter, memberId: session.memberId });
  }

  private detach(reason: string): void {
    clearInterval(this.timer);
    this.unbind?.();
    this.unbind = undefined;
    this.presenceView?.dispose();
    this.presenceView = undefined;
    this.session = undefined;
    this.hooks.requestRender();
    this.view = { phase: 'idle', members: [], presenter: null, following: false, residuals: [], message: reason };
    this.emit();
  }

  /**
   * Following: on the desktop the orbit camera moves to the presenter's eye and keeps its target; in
   * a headset the app turns this member's own copy to the presenter's side (a member calibrated to
   * the room shares the physical hologram: nothing moves).
   */
  private followPresenter(): void {
    if (!this.view.following || this.view.presenter === this.view.memberId) return;
    const head = this.session?.presenterMember()?.presence?.head;
    if (!head) return;
    if (this.hooks.effectors()) {
      this.hooks.followInHeadset?.([head.p[0], head.p[1], head.p[2]]);
      return;
    }
    this.followTarget.set(head.p[0], head.p[1], head.p[2]);
    Vector3.TransformCoordinatesToRef(this.followTarget, this.roomNode.getWorldMatrix(), this.followTarget);
    this.hooks.camera.setPosition(this.followTarget);
  }

  /** Follows this device's calibration (it changes when the room is calibrated or the anchor corrects it). */
  private syncRoomFrame(): void {
    const c = this.hooks.calibration?.();
    if (!c) return;
    this.roomNode.position.set(c.position[0], c.position[1], c.position[2]);
    this.roomNode.rotationQuaternion!.set(c.rotation[0], c.rotation[1], c.rotation[2], c.rotation[3]);
    this.roomNode.computeWorldMatrix(true);
  }

  private set(patch: Partial<TeamView>): void {
    this.view = { ...this.view, ...patch };
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l(this.view);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
