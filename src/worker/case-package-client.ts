import * as Comlink from 'comlink';
import type { CasePackage } from '../team/case-package';
import type { CasePackageRequest, CasePackageWorkerApi } from './case-package-protocol';

/**
 * Builds a team session's case package in a worker of its own, started for the one build and ended
 * after it (a host publishes a case once per session). The literal `new Worker(new URL(...))` lets
 * Vite bundle it.
 */
export async function buildCasePackageOffPage(request: CasePackageRequest): Promise<CasePackage> {
  const worker = new Worker(new URL('./case-package.worker.ts', import.meta.url), { type: 'module', name: 'holoct-case-package' });
  const api = Comlink.wrap<CasePackageWorkerApi>(worker);
  try {
    return await api.build(request);
  } finally {
    api[Comlink.releaseProxy]();
    worker.terminate();
  }
}
