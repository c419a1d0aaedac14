import { Color3 } from '@babylonjs/core/Maths/math.color';
import { DynamicTexture } from '@babylonjs/core/Materials/Textures/dynamicTexture';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { Mesh } from '@babylonjs/core/Meshes/mesh';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder';
import type { Scene } from '@babylonjs/core/scene';

export interface TextLabelOptions {
  /** World size of the label plane, m. */
  width: number;
  height: number;
  /** Texture size, px (default 512 × width/height ratio). */
  pixelsWide?: number;
  /** Turn to face the viewer (default true). */
  billboard?: boolean;
}

/**
 * A short text on a small unlit plane (one draw call), drawn into a canvas texture only when the text
 * changes. Drawn after the hologram (rendering group 1) so it is never hidden inside the anatomy.
 */
export class TextLabel {
  readonly mesh: Mesh;
  private readonly texture: DynamicTexture;
  private readonly material: StandardMaterial;
  private text = '';

  constructor(scene: Scene, name: string, private readonly options: TextLabelOptions) {
    const w = options.pixelsWide ?? 512;
    const h = Math.round((w * options.height) / options.width);
    this.mesh = CreatePlane(name, { width: options.width, height: options.height, sideOrientation: Mesh.DOUBLESIDE }, scene);
    this.texture = new DynamicTexture(`${name}:text`, { width: w, height: h }, scene, true);
    this.texture.hasAlpha = true;
    this.material = new StandardMaterial(`${name}:material`, scene);
    this.material.diffuseTexture = this.texture;
    this.material.useAlphaFromDiffuseTexture = true;
    this.material.emissiveColor = Color3.White();
    this.material.disableLighting = true;
    this.material.backFaceCulling = false;
    this.mesh.material = this.material;
    this.mesh.isPickable = false;
    this.mesh.renderingGroupId = 1;
    if (options.billboard ?? true) this.mesh.billboardMode = Mesh.BILLBOARDMODE_ALL;
    this.mesh.setEnabled(false);
  }

  setText(text: string): void {
    if (text === this.text) return;
    this.text = text;
    const ctx = this.texture.getContext() as CanvasRenderingContext2D;
    const { width, height } = this.texture.getSize();
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = 'rgba(13, 17, 23, 0.82)';
    const r = height * 0.3;
    ctx.beginPath();
    ctx.roundRect(2, 2, width - 4, height - 4, r);
    ctx.fill();
    ctx.fillStyle = '#ffffff';
    let size = Math.round(height * 0.6);
    ctx.font = `600 ${size}px system-ui, sans-serif`;
    while (ctx.measureText(text).width > width * 0.92 && size > 8) {
      size -= 2;
      ctx.font = `600 ${size}px system-ui, sans-serif`;
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, width / 2, height / 2);
    this.texture.update(true);
  }

  get currentText(): string {
    return this.text;
  }

  dispose(): void {
    this.mesh.dispose();
    this.material.dispose();
    this.texture.dispose();
  }
}
