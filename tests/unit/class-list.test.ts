import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/segmentation/manifest';

// training/classes.json is the one class list (names, colours, groups, post-processing rules) and the
// model's scope (the body regions it was trained on); training
// copies it into every manifest it writes. A rule changed by hand must change everywhere it ships, or a
// fold run through the CLI post-processes by other rules than the ones npm run eval scored it with.
const { classes: classList, scope } = JSON.parse(readFileSync('training/classes.json', 'utf8'));
const manifests = ['models/holoct-seg.json', ...readdirSync('training/folds').map((f) => join('training/folds', f, 'holoct-seg.json'))];

describe('the class list has one source', () => {
  it.each(manifests)('%s carries training/classes.json exactly, and parses', (path) => {
    const manifest = parseManifest(JSON.parse(readFileSync(path, 'utf8')), path);
    expect(manifest.classes).toEqual(classList);
    expect(manifest.scope).toEqual(scope);
  });
});
