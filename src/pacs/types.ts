/**
 * Public types of the PACS room: search and retrieve over DICOMweb (QIDO-RS, WADO-RS).
 *
 * Plain data only. PRIVACY: {@link PacsStudy} carries the patient's name and ID because a user has
 * to recognise the study in the search results. It is for LOCAL DISPLAY ONLY, like
 * `LoadedSeries.patient`: never put it into exports, shared state or logs.
 */

/** Where the DICOMweb service is and how to reach it. */
export interface PacsConnection {
  /**
   * DICOMweb root (the URL that `/studies` is appended to), e.g. `/dicomweb` (the app's same-origin
   * proxy) or `https://pacs.example.org/dicom-web`. A relative URL resolves against the page.
   */
  baseUrl: string;
  /** The fetch to use (tests inject one; default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** Extra request headers, e.g. `{ Authorization: 'Bearer …' }` for a server that needs a token. */
  headers?: Record<string, string>;
}

/**
 * What to look for. Empty fields are not sent. The values travel to the PACS as QIDO-RS query
 * parameters (that is the point of a search), nowhere else.
 */
export interface StudyQuery {
  /** PatientName (0010,0010); DICOM wildcards `*` and `?` allowed, e.g. `DOE*`. */
  patientName?: string;
  /** PatientID (0010,0020), exact. */
  patientId?: string;
  /** StudyDate (0008,0020): `YYYYMMDD` or a range `YYYYMMDD-YYYYMMDD` (either end may be open). */
  studyDate?: string;
  /** AccessionNumber (0008,0050), exact. */
  accessionNumber?: string;
  /** At most this many studies (default 100). */
  limit?: number;
}

/** One study as QIDO-RS describes it. */
export interface PacsStudy {
  studyInstanceUID: string;
  /** LOCAL DISPLAY ONLY (PatientName, '^' separated as in DICOM). */
  patientName?: string;
  /** LOCAL DISPLAY ONLY. */
  patientId?: string;
  /** `YYYYMMDD`. */
  studyDate?: string;
  accessionNumber?: string;
  description?: string;
  /** ModalitiesInStudy, e.g. ['CT', 'SR']. */
  modalities: string[];
  seriesCount?: number;
  instanceCount?: number;
}

/** One series of a study. */
export interface PacsSeries {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  modality: string;
  description: string;
  seriesNumber?: number;
  /** NumberOfSeriesRelatedInstances, when the server gives it. */
  instanceCount?: number;
}

/** One instance of a series (from QIDO-RS), in InstanceNumber order. */
export interface PacsInstance {
  sopInstanceUID: string;
  instanceNumber?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface RetrieveOptions extends RequestOptions {
  /** Called after each instance arrives: `done` of `total` instances. */
  onProgress?: (done: number, total: number) => void;
  /** Instances requested at the same time (default 4). */
  concurrency?: number;
}

/**
 * A DICOMweb request that failed. `message` names the server, what was asked and the reason (HTTP
 * status, unreachable, not a DICOMweb answer) and is fit to show to a user.
 */
export class PacsError extends Error {
  /** HTTP status, 0 when the server could not be reached. */
  readonly status?: number;
  /** The URL that failed. */
  readonly url?: string;

  constructor(message: string, options?: { cause?: unknown; status?: number; url?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PacsError';
    this.status = options?.status;
    this.url = options?.url;
  }
}
