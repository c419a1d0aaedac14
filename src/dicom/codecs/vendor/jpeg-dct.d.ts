/** Types for the vendored DCT JPEG decoder (see jpeg-dct.js for its origin and licence). */
declare class JpegImage {
  parse(data: Uint8Array): void;
  width: number;
  height: number;
  colorTransform?: boolean;
  components: unknown[];
  getData16(width: number, height: number): Uint16Array;
  getData(width: number, height: number): Uint8Array;
}
export default JpegImage;
