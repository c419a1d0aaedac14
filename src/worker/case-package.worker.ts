/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { buildCasePackage } from '../team/case-package';
import type { CasePackageWorkerApi } from './case-package-protocol';

// Off the page: encoding the GLB, the label map and the CT and hashing them takes a second or more
// on a large CT (bench/team-package.ts); the host's scene keeps its frame rate meanwhile.
const api: CasePackageWorkerApi = {
  async build({ content, caseId, pacs }) {
    const pkg = buildCasePackage(content, { caseId, pacs });
    const buffers = Object.values(pkg.blobs).map((b) => b.buffer as ArrayBuffer);
    return Comlink.transfer(pkg, [...new Set(buffers)]);
  },
};

Comlink.expose(api);
