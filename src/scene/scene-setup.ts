import { Engine } from '@babylonjs/core/Engines/engine';
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight';
import { DirectionalLight } from '@babylonjs/core/Lights/directionalLight';
import { Color3, Color4 } from '@babylonjs/core/Maths/math.color';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { Scene } from '@babylonjs/core/scene';

export interface DesktopScene {
  engine: Engine;
  scene: Scene;
  camera: ArcRotateCamera;
  /** Draws the next frames: call after anything visible changed outside Babylon's own inputs. */
  requestRender(): void;
  dispose(): void;
}

/**
 * Engine, scene, orbit camera and lights for the desktop view. WebGL2 renders (also in XR);
 * WebGPU is kept for the segmentation compute in the worker.
 */
export function createDesktopScene(canvas: HTMLCanvasElement): DesktopScene {
  const engine = new Engine(canvas, true, { preserveDrawingBuffer: true, stencil: true, xrCompatible: true }, true);
  const scene = new Scene(engine);
  scene.clearColor = new Color4(0.05, 0.07, 0.09, 1);
  // The hologram is ~0.4 m across at its default scale, 1 m in front of the camera.
  const camera = new ArcRotateCamera('desktop-camera', -Math.PI / 2, Math.PI / 2.2, 1.0, Vector3.Zero(), scene);
  camera.minZ = 0.01;
  camera.lowerRadiusLimit = 0.1;
  camera.upperRadiusLimit = 5;
  camera.wheelDeltaPercentage = 0.01;
  camera.panningSensibility = 2000;
  camera.attachControl(canvas, true);
  const sky = new HemisphericLight('sky', new Vector3(0, 1, 0), scene);
  sky.intensity = 0.75;
  sky.groundColor = new Color3(0.25, 0.25, 0.3);
  const key = new DirectionalLight('key', new Vector3(0.3, -0.6, 1), scene);
  key.intensity = 0.6;
  scene.onBeforeRenderObservable.add(() => {
    // the key light follows the camera, so the side the user looks at is lit
    camera.getDirectionToRef(Vector3.Forward(), key.direction);
  });
  // Render on demand on the desktop: a still hologram costs no GPU time (laptop batteries, and
  // software-rendered test browsers). In XR every frame is drawn.
  let pendingFrames = 2;
  const requestRender = () => { pendingFrames = Math.max(pendingFrames, 2); };
  const cameraMoving = () =>
    camera.inertialAlphaOffset !== 0 || camera.inertialBetaOffset !== 0 || camera.inertialRadiusOffset !== 0 ||
    camera.inertialPanningX !== 0 || camera.inertialPanningY !== 0;
  scene.onNewMeshAddedObservable.add(requestRender);
  camera.onViewMatrixChangedObservable.add(requestRender);
  for (const type of ['pointerdown', 'pointermove', 'pointerup', 'wheel', 'keydown'] as const) canvas.addEventListener(type, requestRender, { passive: true });
  engine.runRenderLoop(() => {
    const inXR = scene.activeCamera?.getClassName() === 'WebXRCamera';
    if (!inXR && pendingFrames <= 0 && !cameraMoving() && scene.animatables.length === 0) return;
    pendingFrames = Math.max(0, pendingFrames - 1);
    scene.render();
  });
  const onResize = () => { engine.resize(); requestRender(); };
  window.addEventListener('resize', onResize);
  return {
    engine, scene, camera, requestRender,
    dispose() {
      window.removeEventListener('resize', onResize);
      scene.dispose();
      engine.dispose();
    },
  };
}
