import { describe, expect, it } from 'vitest';
import { treeRows } from './tree.js';

type Node = { id: string; parent: string | null };
const draw = (nodes: Node[]) =>
  treeRows(
    nodes,
    (n) => n.id,
    (n) => n.parent,
  ).map((r) => `${r.prefix}${r.item.id}`);

describe('treeRows', () => {
  it('puts children under their parent in the given order, drawing the branches', () => {
    expect(
      draw([
        { id: 'b1', parent: 'b' },
        { id: 'a', parent: null },
        { id: 'b', parent: null },
        { id: 'b2', parent: 'b' },
        { id: 'b1x', parent: 'b1' },
      ]),
    ).toEqual(['a', 'b', '├─ b1', '│  └─ b1x', '└─ b2']);
  });

  it('shows an item whose parent is not in the list as a root, and an item of a cycle once', () => {
    expect(draw([{ id: 'orphan', parent: 'gone' }])).toEqual(['orphan']);
    expect(
      draw([
        { id: 'x', parent: 'y' },
        { id: 'y', parent: 'x' },
      ]),
    ).toEqual(['x', 'y']);
  });
});
