/** An item of a list drawn as a tree, with what is drawn before its name (`├─ `, `│  └─ `…). */
export interface TreeRow<T> {
  item: T;
  prefix: string;
}

/**
 * `items` in tree order: each one followed by its children, all in the order given; roots are the
 * items whose parent is not among them (so a page of a longer list still shows everything it
 * holds). Each row carries the prefix that draws the tree. An item seen twice (a cycle in the
 * data) is drawn once.
 * @param id the item's id
 * @param parent the id of its parent, or null
 */
export function treeRows<T>(items: readonly T[], id: (item: T) => string, parent: (item: T) => string | null): TreeRow<T>[] {
  const present = new Set(items.map(id));
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const item of items) {
    const p = parent(item);
    if (p !== null && present.has(p) && p !== id(item)) children.set(p, [...(children.get(p) ?? []), item]);
    else roots.push(item);
  }
  const rows: TreeRow<T>[] = [];
  const drawn = new Set<string>();
  const walk = (level: T[], indent: string, top: boolean) =>
    level.forEach((item, i) => {
      if (drawn.has(id(item))) return;
      drawn.add(id(item));
      const last = i === level.length - 1;
      rows.push({ item, prefix: top ? '' : `${indent}${last ? '└─ ' : '├─ '}` });
      walk(children.get(id(item)) ?? [], top ? '' : `${indent}${last ? '   ' : '│  '}`, false);
    });
  walk(roots, '', true);
  // Items caught in a cycle have no root above them: shown last, flat.
  for (const item of items) if (!drawn.has(id(item))) rows.push({ item, prefix: '' });
  return rows;
}
