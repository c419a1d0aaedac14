import { describe, expect, it } from 'vitest';
import { hitMenu, layoutMenu, type MenuRow } from './menu';

const ROWS: MenuRow[] = [
  { title: 'Labels not reliable' },
  [{ id: 'scope', label: 'HEAD: outside the model\'s scope', warning: true }],
  [{ id: 'cut:axial', label: 'Axial' }, { id: 'cut:clear', label: 'No cuts', disabled: true }, { id: 'slices', label: 'CT on cuts', weight: 2 }],
];

describe('layoutMenu and hitMenu', () => {
  // units: a title 0.6 + two rows = 2.6; cells keep a small gap around them
  const layout = layoutMenu(ROWS);

  it('lays rows out top to bottom and shares a row by weight', () => {
    expect(layout.units).toBeCloseTo(2.6);
    expect(layout.titles).toEqual([{ title: 'Labels not reliable', y: 0, h: 0.6 / 2.6 }]);
    const [scope, axial, clear, slices] = layout.cells;
    expect(scope.y).toBeCloseTo((0.6 + 0.06) / 2.6);
    expect(axial.y).toBeCloseTo((1.6 + 0.06) / 2.6);
    // weights 1, 1, 2 of 4: a quarter, a quarter, a half
    expect(axial.x + axial.w / 2).toBeCloseTo(0.125);
    expect(clear.x + clear.w / 2).toBeCloseTo(0.375);
    expect(slices.x + slices.w / 2).toBeCloseTo(0.75);
  });

  it('hits an enabled button at its centre, and nothing in a gap, a title, a disabled button or a warning row', () => {
    const centre = (id: string) => {
      const c = layout.cells.find((cell) => cell.item.id === id)!;
      return [c.x + c.w / 2, c.y + c.h / 2] as const;
    };
    expect(hitMenu(layout, ...centre('cut:axial'))?.id).toBe('cut:axial');
    expect(hitMenu(layout, ...centre('slices'))?.id).toBe('slices');
    expect(hitMenu(layout, ...centre('cut:clear'))).toBeUndefined();
    expect(hitMenu(layout, ...centre('scope'))).toBeUndefined();
    expect(hitMenu(layout, 0.5, 0.1)).toBeUndefined(); // the title
    expect(hitMenu(layout, 0.25, centre('cut:axial')[1])).toBeUndefined(); // the gap between two buttons
  });
});
