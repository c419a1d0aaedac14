import { Ray } from '@babylonjs/core/Culling/ray.core';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { Observable, type Observer } from '@babylonjs/core/Misc/observable';
import type { WebXRInput } from '@babylonjs/core/XR/webXRInput';
import type { WebXRInputSource } from '@babylonjs/core/XR/webXRInputSource';
import type { WebXRSessionManager } from '@babylonjs/core/XR/webXRSessionManager';
import { WebXRHandJoint, type WebXRHandTracking } from '@babylonjs/core/XR/features/WebXRHandTracking';
import { Effector, type EffectorKind } from './effector';

export interface XRInputAdapterOptions {
  sessionManager: WebXRSessionManager;
  input: WebXRInput;
  /** Babylon's hand tracking feature, when the session has hands. */
  handTracking?: WebXRHandTracking;
}

/**
 * Turns WebXR input sources into effectors: hands (pinch point between thumb and index tips, palm
 * normal, platform pinch = select), controllers (grip, ray, trigger = select), transient pointers
 * (Vision Pro: a ray for the length of a pinch) and gaze-and-commit (HoloLens 2 without hand input).
 * Presses come from the session's select events, poses from the frame; nothing allocated per frame.
 */
export class XRInputAdapter {
  readonly onEffectorAddedObservable = new Observable<Effector>();
  readonly onEffectorRemovedObservable = new Observable<Effector>();
  private readonly bySource = new Map<XRInputSource, { effector: Effector; source: WebXRInputSource }>();
  private readonly list: Effector[] = [];
  private readonly removed: Effector[] = [];
  /** The live sources as an array: the frame loop walks it without an iterator. */
  private readonly sources: Array<{ effector: Effector; source: WebXRInputSource }> = [];
  private readonly pruning: Effector[] = [];
  private readonly ray = new Ray(new Vector3(), new Vector3(0, 0, 1), 1);
  private readonly tmp = new Vector3();
  private readonly observers: Array<{ observable: Observable<never>; observer: Observer<never> }> = [];
  private session?: XRSession;
  private readonly onSelectStart = (e: XRInputSourceEvent) => this.bySource.get(e.inputSource)?.effector.press();
  private readonly onSelectEnd = (e: XRInputSourceEvent) => this.bySource.get(e.inputSource)?.effector.release();

  constructor(private readonly options: XRInputAdapterOptions) {
    const add = <T>(observable: Observable<T>, callback: (value: T) => void) => {
      const observer = observable.add(callback);
      this.observers.push({ observable: observable as unknown as Observable<never>, observer: observer as unknown as Observer<never> });
    };
    add(options.input.onControllerAddedObservable, (source) => this.addSource(source));
    add(options.input.onControllerRemovedObservable, (source) => this.removeSource(source));
    for (const source of options.input.controllers) this.addSource(source);
    this.attachSession(options.sessionManager.session);
    add(options.sessionManager.onXRSessionInit, (session) => this.attachSession(session));
  }

  /** The live effectors (the same array every frame). */
  get effectors(): Effector[] {
    return this.list;
  }

  setHandTracking(handTracking: WebXRHandTracking | undefined): void {
    this.options.handTracking = handTracking;
  }

  /** Reads every effector's pose from this frame. */
  update(): void {
    for (const e of this.pruning) {
      const i = this.list.indexOf(e);
      if (i >= 0) this.list.splice(i, 1);
    }
    this.pruning.length = 0;
    for (const e of this.removed) this.pruning.push(e);
    this.removed.length = 0;
    for (let n = 0; n < this.sources.length; n++) {
      const { effector: e, source } = this.sources[n];
      source.getWorldPointerRayToRef(this.ray);
      e.rayOrigin.copyFrom(this.ray.origin);
      e.rayDirection.copyFrom(this.ray.direction).normalize();
      const hand = e.kind === 'hand' ? this.options.handTracking?.getHandByHandedness(e.handedness as XRHandedness) : null;
      if (hand) {
        const thumb = hand.getJointMesh(WebXRHandJoint.THUMB_TIP);
        const index = hand.getJointMesh(WebXRHandJoint.INDEX_FINGER_TIP);
        const palm = hand.getJointMesh(WebXRHandJoint.MIDDLE_FINGER_METACARPAL);
        const wrist = hand.getJointMesh(WebXRHandJoint.WRIST);
        thumb.position.addToRef(index.position, e.position).scaleInPlace(0.5);
        if (wrist.rotationQuaternion) e.rotation.copyFrom(wrist.rotationQuaternion);
        // the joints' −y points out of the palm (WebXR hand input)
        if (palm.rotationQuaternion) Vector3.TransformNormalFromFloatsToRef(0, -1, 0, palm.getWorldMatrix(), e.palmNormal);
        e.palmNormal.normalize();
        e.tracked = true;
        continue;
      }
      const grip = source.grip ?? source.pointer;
      e.position.copyFrom(e.kind === 'controller' ? grip.position : this.ray.origin);
      const q = grip.rotationQuaternion ?? source.pointer.rotationQuaternion;
      if (q) e.rotation.copyFrom(q);
      Vector3.TransformNormalFromFloatsToRef(0, -1, 0, grip.getWorldMatrix(), e.palmNormal);
      e.palmNormal.normalize();
      // a hand without joint data yet (or an input without a grip) still points
      e.tracked = e.kind !== 'hand' || !this.options.handTracking;
    }
  }

  dispose(): void {
    this.detachSession();
    for (const { observable, observer } of this.observers) observable.remove(observer);
    this.observers.length = 0;
    for (const { effector } of this.bySource.values()) this.onEffectorRemovedObservable.notifyObservers(effector);
    this.bySource.clear();
    this.sources.length = 0;
    this.list.length = 0;
    this.onEffectorAddedObservable.clear();
    this.onEffectorRemovedObservable.clear();
  }

  private attachSession(session: XRSession | undefined): void {
    if (!session || session === this.session) return;
    this.detachSession();
    this.session = session;
    session.addEventListener('selectstart', this.onSelectStart);
    session.addEventListener('selectend', this.onSelectEnd);
  }

  private detachSession(): void {
    this.session?.removeEventListener('selectstart', this.onSelectStart);
    this.session?.removeEventListener('selectend', this.onSelectEnd);
    this.session = undefined;
  }

  private addSource(source: WebXRInputSource): void {
    const input = source.inputSource;
    if (this.bySource.has(input)) return;
    const kind: EffectorKind = input.hand ? 'hand'
      : input.targetRayMode === 'transient-pointer' ? 'transient'
      : input.targetRayMode === 'gaze' ? 'gaze'
      : input.targetRayMode === 'screen' ? 'transient'
      : 'controller';
    const effector = new Effector(source.uniqueId, kind, input.handedness);
    const entry = { effector, source };
    this.bySource.set(input, entry);
    this.sources.push(entry);
    this.list.push(effector);
    this.onEffectorAddedObservable.notifyObservers(effector);
  }

  private removeSource(source: WebXRInputSource): void {
    const entry = this.bySource.get(source.inputSource);
    if (!entry) return;
    entry.effector.tracked = false;
    entry.effector.release();
    this.bySource.delete(source.inputSource);
    this.sources.splice(this.sources.indexOf(entry), 1);
    // the effector stays listed for one more interaction update (which sees the release), then goes
    this.removed.push(entry.effector);
    this.onEffectorRemovedObservable.notifyObservers(entry.effector);
  }
}
