import type { CasePackage, CaseContent, PacsSeriesRef } from '../team/case-package';

/** The typed protocol of the case-package worker (comlink): the case on show in, the package out. */
export interface CasePackageRequest {
  /** Copied to the worker (structured clone); the page keeps its own. */
  content: CaseContent;
  /** Known already (the app hashes the CT when it loads it): spares hashing it again. */
  caseId?: string;
  /** The PACS series the case came from, if it did (members reaching that PACS may take the CT from there). */
  pacs?: PacsSeriesRef;
}

export interface CasePackageWorkerApi {
  build(request: CasePackageRequest): Promise<CasePackage>;
}
