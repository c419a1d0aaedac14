// Ambient types for codec packages that ship none (their emscripten glue is CommonJS).
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: import('./emscripten').EmscriptenFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: import('./emscripten').EmscriptenFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: import('./emscripten').EmscriptenFactory;
  export default factory;
}
