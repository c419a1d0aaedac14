import { scopeNoteLine, type ScopeCheck } from '../segmentation/scope';

/** Notes beyond this many are dropped from the panel (report.json keeps them all). */
export const MAX_PANEL_NOTES = 20;

export interface CaseNotes {
  /** The out-of-scope warning, shown apart from the notes: it is about every label, not one structure. */
  warning?: string;
  notes: string[];
}

/**
 * Splits a case's notes for the panel: the scope warning (which the report lists first among its
 * notes, for report.json and the CLI) goes to its own banner, the rest stay a list.
 */
export function caseNotes(scope: ScopeCheck | undefined, notes: readonly string[]): CaseNotes {
  const line = scopeNoteLine(scope);
  const rest = notes.filter((n) => n !== line).slice(0, MAX_PANEL_NOTES);
  return scope?.note ? { warning: scope.note, notes: rest } : { notes: rest };
}

/** Shows the warning banner (hidden when there is none) and the notes list. */
export function showCaseNotes(banner: HTMLElement, list: HTMLElement, shown: CaseNotes): void {
  banner.hidden = !shown.warning;
  banner.replaceChildren(
    ...(shown.warning
      ? [Object.assign(document.createElement('strong'), { textContent: 'Labels not reliable' }), document.createTextNode(` — ${shown.warning}`)]
      : []),
  );
  list.replaceChildren(...shown.notes.map((n) => Object.assign(document.createElement('li'), { textContent: n })));
}
