import { describe, expect, it } from 'vitest';
import { applyCommand, initialSharedState, type Command } from './shared-state';
import { parseCommand, parseSharedState, StateValidationError } from './validate';

const good = () =>
  applyCommand(
    applyCommand(initialSharedState([{ name: 'liver', opacity: 0.6 }], 'ab12:holoct-seg'), { type: 'cut/upsert', id: '7-1', cut: { normal: [0, 0, 1], offset: 3, showSlice: true, createdBy: '7' } }),
    { type: 'measurement/add', id: '7-2', measurement: { a: [0, 0, 0], b: [1, 1, 1] } },
  );

/** The message parseSharedState gives for `mutate(good state)`. */
function stateError(mutate: (s: Record<string, any>) => void): string {
  const s = JSON.parse(JSON.stringify(good()));
  mutate(s);
  try {
    parseSharedState(s);
  } catch (error) {
    expect(error).toBeInstanceOf(StateValidationError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('parseSharedState', () => {
  it('accepts a state the reducer made, as an equal copy', () => {
    const s = good();
    const parsed = parseSharedState(JSON.parse(JSON.stringify(s)));
    expect(parsed).toEqual(s);
  });

  it.each([
    ['a non-finite number', (s: any) => (s.cuts['7-1'].offset = Number.NaN), /state\.cuts\.7-1\.offset: expected a finite number/],
    ['a string for a number', (s: any) => (s.measurements['7-2'].a[1] = '3'), /state\.measurements\.7-2\.a\[1\]: expected a finite number, got a string/],
    ['a normal that is not unit', (s: any) => (s.cuts['7-1'].normal = [0, 0.5, 0.5]), /state\.cuts\.7-1\.normal: expected unit length, got 0\.7071/],
    ['a rotation that is not unit', (s: any) => (s.pose.rotation = [0, 0, 0, 0.5]), /state\.pose\.rotation: expected unit length/],
    ['a scale out of range', (s: any) => (s.pose.scale = 5), /state\.pose\.scale: 5 m\/mm is outside/],
    ['an unknown key', (s: any) => (s.cuts['7-1'].colour = 'red'), /state\.cuts\.7-1\.colour: unknown key/],
    ['a missing key', (s: any) => delete s.pivot, /state\.pivot: missing/],
    ['too many cuts', (s: any) => { for (const id of ['a', 'b', 'c']) s.cuts[id] = s.cuts['7-1']; }, /state\.cuts: 4 entries, at most 3/],
    ['an opacity above 1', (s: any) => (s.structures.liver.opacity = 1.5), /state\.structures\.liver\.opacity: 1\.5 is outside 0\.\.1/],
    ['an id with odd characters', (s: any) => (s.measurements['<script>'] = s.measurements['7-2']), /state\.measurements key: "<script>" has characters/],
    ['a huge string', (s: any) => (s.caseId = 'x'.repeat(10_000)), /state\.caseId: longer than 200 characters/],
    ['a control character', (s: any) => (s.caseId = 'ab\u0000cd'), /state\.caseId: "ab\u0000cd" has characters other than/],
    ['another schema', (s: any) => (s.schema = 2), /state\.schema: version 2, this HoloCT reads 1/],
    ['an unknown slice window', (s: any) => (s.sliceWindow = 'lung'), /state\.sliceWindow: expected one of soft-tissue, bone/],
    ['an array for a record', (s: any) => (s.cuts = []), /state\.cuts: expected an object keyed by id, got an array/],
  ])('rejects %s, naming the field', (_what, mutate, message) => {
    expect(stateError(mutate)).toMatch(message);
  });

  it('rejects what is not an object at all', () => {
    expect(() => parseSharedState(null)).toThrow(/state: expected an object, got null/);
    expect(() => parseSharedState('{}')).toThrow(/expected an object, got a string/);
  });
});

describe('parseCommand', () => {
  it('accepts every kind of command the reducer takes', () => {
    const commands: Command[] = [
      { type: 'case/open', caseId: 'x', structures: { bone: { visible: true, opacity: 1 } } },
      { type: 'case/identify', caseId: 'ab:model' },
      { type: 'structure/setVisible', names: ['bone'], visible: false },
      { type: 'structure/setOpacity', name: 'bone', opacity: 0.5 },
      { type: 'cut/upsert', id: 'a', cut: { normal: [1, 0, 0], offset: 2, showSlice: false }, replaces: 'b' },
      { type: 'cut/remove', id: 'a' },
      { type: 'cuts/clear' },
      { type: 'cuts/setShowSlice', show: true },
      { type: 'measurement/add', id: 'm', measurement: { a: [0, 0, 0], b: [1, 0, 0] } },
      { type: 'measurement/remove', id: 'm' },
      { type: 'measurements/clear' },
      { type: 'pose/set', pose: { position: [0, 1, 0] } },
      { type: 'pivot/set', pivot: [1, 2, 3] },
      { type: 'sliceWindow/set', window: 'bone' },
      { type: 'presenter/set', presenter: '12' },
    ];
    for (const c of commands) expect(parseCommand(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it.each([
    [{ type: 'cut/explode' }, /command\.type: unknown command "cut\/explode"/],
    [{ type: 'cut/remove' }, /command\.id: missing/],
    [{ type: 'cut/remove', id: 'a', extra: 1 }, /command\.extra: unknown key/],
    [{ type: 'cuts/clear', id: 'a' }, /command\.id: unknown key/],
    [{ type: 'cut/upsert', id: 'a', cut: { normal: [0, 0, 0], offset: 0, showSlice: true } }, /command\.cut\.normal: expected unit length, got 0/],
    [{ type: 'pose/set', pose: { position: [0, Infinity, 0] } }, /command\.pose\.position\[1\]: expected a finite number, got Infinity/],
    [{ type: 'pose/set', pose: { position: [0, 1e9, 0] } }, /command\.pose\.position\[1\]: 1000000000 is beyond ±1000/],
    [{ type: 'structure/setVisible', names: new Array(1000).fill('bone'), visible: true }, /command\.names: expected at most 256 names/],
    [{ type: 'presenter/set', presenter: 42 }, /command\.presenter: expected a string, got number/],
    [[], /command: expected an object, got an array of 0/],
  ])('rejects %#', (input, message) => {
    expect(() => parseCommand(input)).toThrow(message);
  });
});
