// Where each node of a flow graph goes: layered top to bottom. Edges that close a
// loop (a menu's "try again") are set aside so the rest is acyclic; each node's
// layer is its longest path from the start (from the roots of what the start
// does not reach); within a layer, nodes are ordered by the mean position of
// their neighbours (barycenter), sweeping down and up a few times, which removes
// most crossings in flows of this size.

/** The graph GET /api/flows/:name/graph and POST /api/flows/check send. */
import type { FlowGraphData } from '../../wire.js';

export type { FlowGraphData };
export type GraphNode = FlowGraphData['nodes'][number];
export type GraphEdge = FlowGraphData['edges'][number];

export interface PlacedNode extends GraphNode {
  x: number;
  y: number;
  layer: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** Every field that draws this arrow (a menu digit and its fallback may lead to the same node). */
  fields: string[];
  line: number | null;
  /** Points back up (or sideways) to close a loop. */
  back: boolean;
  /** SVG path data. */
  d: string;
  labelX: number;
  labelY: number;
}

export interface Layout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export const NODE_WIDTH = 136;
export const NODE_HEIGHT = 40;
const GAP_X = 28;
const GAP_Y = 56;
const MARGIN = 24;
const SWEEPS = 4;

export function layoutFlowGraph(graph: FlowGraphData): Layout {
  const ids = graph.nodes.map((n) => n.id);
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of graph.edges) if (out.has(e.to)) out.get(e.from)?.push(e.to);

  // Depth-first from the start, then from anything still unvisited: an edge to a
  // node on the current path closes a loop. Discovery order seeds the layer order.
  const state = new Map<string, 'open' | 'done'>();
  const backEdges = new Set<string>();
  const discovery: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'open');
    discovery.push(id);
    for (const next of out.get(id) ?? []) {
      const s = state.get(next);
      if (s === 'open') backEdges.add(`${id}\u0000${next}`);
      else if (s === undefined) visit(next);
    }
    state.set(id, 'done');
  };
  if (out.has(graph.start)) visit(graph.start);
  for (const id of ids) if (!state.has(id)) visit(id);
  const isBack = (from: string, to: string): boolean => backEdges.has(`${from}\u0000${to}`);

  // Longest path over the forward edges, in discovery order relaxed until stable (the forward graph is acyclic).
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  for (let changed = true, rounds = 0; changed && rounds <= ids.length; rounds++) {
    changed = false;
    for (const from of discovery) {
      for (const to of out.get(from) ?? []) {
        if (isBack(from, to)) continue;
        const want = (layer.get(from) ?? 0) + 1;
        if ((layer.get(to) ?? 0) < want) { layer.set(to, want); changed = true; }
      }
    }
  }

  const layerCount = Math.max(0, ...layer.values()) + 1;
  const layers: string[][] = Array.from({ length: layerCount }, () => []);
  for (const id of discovery) layers[layer.get(id) ?? 0]?.push(id);

  const neighbours = new Map<string, { up: string[]; down: string[] }>(ids.map((id) => [id, { up: [], down: [] }]));
  for (const e of graph.edges) {
    if (!out.has(e.to) || e.from === e.to) continue;
    const [a, b] = (layer.get(e.from) ?? 0) <= (layer.get(e.to) ?? 0) ? [e.from, e.to] : [e.to, e.from];
    neighbours.get(a)?.down.push(b);
    neighbours.get(b)?.up.push(a);
  }
  // Positions as fractions of the layer's width, so layers of different sizes compare.
  const position = new Map<string, number>();
  const notePositions = (): void => {
    for (const row of layers) row.forEach((id, i) => position.set(id, (i + 0.5) / row.length));
  };
  notePositions();
  const sweep = (row: string[], side: 'up' | 'down'): void => {
    const score = new Map<string, number>();
    row.forEach((id, i) => {
      const near = neighbours.get(id)?.[side] ?? [];
      const mean = near.length ? near.reduce((sum, n) => sum + (position.get(n) ?? 0), 0) / near.length : position.get(id) ?? (i + 0.5) / row.length;
      score.set(id, mean);
    });
    row.sort((a, b) => (score.get(a) ?? 0) - (score.get(b) ?? 0));
    row.forEach((id, i) => position.set(id, (i + 0.5) / row.length));
  };
  for (let i = 0; i < SWEEPS; i++) {
    for (let l = 1; l < layers.length; l++) sweep(layers[l] ?? [], 'up');
    for (let l = layers.length - 2; l >= 0; l--) sweep(layers[l] ?? [], 'down');
  }
  notePositions();

  const widest = Math.max(1, ...layers.map((row) => row.length));
  const width = MARGIN * 2 + widest * NODE_WIDTH + (widest - 1) * GAP_X + NODE_WIDTH / 2; // room for loops drawn on the right
  const height = MARGIN * 2 + layerCount * NODE_HEIGHT + (layerCount - 1) * GAP_Y;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const placed = new Map<string, PlacedNode>();
  layers.forEach((row, l) => {
    const rowWidth = row.length * NODE_WIDTH + (row.length - 1) * GAP_X;
    const left = MARGIN + (widest * NODE_WIDTH + (widest - 1) * GAP_X - rowWidth) / 2;
    row.forEach((id, i) => {
      const node = byId.get(id);
      if (node) placed.set(id, { ...node, layer: l, x: left + i * (NODE_WIDTH + GAP_X), y: MARGIN + l * (NODE_HEIGHT + GAP_Y) });
    });
  });

  return { nodes: [...placed.values()], edges: placeEdges(graph.edges, placed, isBack), width, height };
}

function placeEdges(edges: GraphEdge[], placed: Map<string, PlacedNode>, isBack: (from: string, to: string) => boolean): PlacedEdge[] {
  // One arrow per pair of nodes, carrying every field that leads there.
  const grouped = new Map<string, { from: string; to: string; fields: string[]; line: number | null }>();
  for (const e of edges) {
    const key = `${e.from}\u0000${e.to}`;
    const g = grouped.get(key);
    if (g) g.fields.push(e.field);
    else grouped.set(key, { from: e.from, to: e.to, fields: [e.field], line: e.line });
  }
  const list = [...grouped.values()].filter((g) => placed.has(g.from) && placed.has(g.to));
  // Arrows leave a node's bottom edge spread out, in the order of their targets, so they do not cross at the source.
  const ports = new Map<string, number>();
  for (const node of placed.values()) {
    const down = list
      .filter((g) => g.from === node.id && !isBack(g.from, g.to) && (placed.get(g.to)?.layer ?? 0) > node.layer)
      .sort((a, b) => (placed.get(a.to)?.x ?? 0) - (placed.get(b.to)?.x ?? 0));
    down.forEach((g, i) => ports.set(`${g.from}\u0000${g.to}`, node.x + ((i + 1) / (down.length + 1)) * NODE_WIDTH));
  }
  return list.map((g) => {
    const a = placed.get(g.from) as PlacedNode;
    const b = placed.get(g.to) as PlacedNode;
    const goesDown = b.layer > a.layer;
    if (goesDown) {
      const x1 = ports.get(`${g.from}\u0000${g.to}`) ?? a.x + NODE_WIDTH / 2;
      const y1 = a.y + NODE_HEIGHT;
      const x2 = b.x + NODE_WIDTH / 2;
      const y2 = b.y;
      const bend = Math.max(24, (y2 - y1) / 2);
      // The label sits on the curve's midpoint (a symmetric cubic passes through the mean of its ends there).
      return {
        ...g, back: false, d: `M ${x1} ${y1} C ${x1} ${y1 + bend}, ${x2} ${y2 - bend}, ${x2} ${y2}`,
        labelX: (x1 + x2) / 2, labelY: (y1 + y2) / 2,
      };
    }
    // A loop (or a self-loop): out of the right side, round, and into the target's right side.
    const x1 = a.x + NODE_WIDTH;
    const y1 = a.y + NODE_HEIGHT / 2;
    const x2 = b.x + NODE_WIDTH;
    const y2 = b.y + NODE_HEIGHT / 2 + (a.id === b.id ? 8 : 0);
    const reach = Math.max(x1, x2) + 40 + Math.abs(a.layer - b.layer) * 6;
    const y1a = a.id === b.id ? y1 - 8 : y1;
    return {
      ...g, back: true, d: `M ${x1} ${y1a} C ${reach} ${y1a}, ${reach} ${y2}, ${x2 + 2} ${y2}`,
      labelX: x1 + (reach - x1) * 0.75, labelY: (y1a + y2) / 2,
    };
  });
}
