/**
 * PACS room: search and retrieve CT series over DICOMweb (QIDO-RS, WADO-RS), and store results
 * (STOW-RS: a segmentation back into its study), with dicomweb-client.
 * No DOM, no Node API, no decoding: retrieved instances go to the same `loadInput` / worker `open()`
 * path as files from a folder. See docs/pacs.md.
 */
export { PacsError } from './types';
export type { PacsConnection, PacsInstance, PacsSeries, PacsStudy, RequestOptions, RetrieveOptions, StudyQuery } from './types';
export { listInstances, queriesForText, retrieveSeries, searchSeries, searchStudies, searchStudiesByText, storeInstances, type StoreResult } from './client';
export { FetchXhr } from './fetch-xhr';
