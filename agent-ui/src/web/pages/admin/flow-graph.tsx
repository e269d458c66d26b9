// The flow drawn as a graph: a box per node (type and id, coloured by type), an
// arrow per branch labelled with its digit or branch name. Nodes with problems are
// drawn red, nodes no caller can reach are dashed and faded, targets that name no
// node are red dashed ghosts; a simulated path is highlighted. Clicking a node
// takes the editor to its line.
import { useMemo } from 'preact/hooks';
import { useI18n, type Translate } from '../../i18n/index.js';
import { layoutFlowGraph, NODE_HEIGHT, NODE_WIDTH, type FlowGraphData } from './flow-layout.js';

export type { FlowGraphData } from './flow-layout.js';

/** How an edge's field reads on the arrow: the digit for a menu option, the branch's keyword otherwise. */
function edgeLabel(field: string, t: Translate): string {
  const option = /^options\.(.+)$/.exec(field);
  if (option?.[1] !== undefined) return option[1];
  const kase = /^cases\.(\d+)\.next$/.exec(field);
  if (kase?.[1] !== undefined) return t('flowEdgeCase', { n: Number(kase[1]) + 1 });
  if (field === 'next') return '';
  return field.replace(/^fallback\./, '');
}

const MAX_ID_CHARS = 17;

export function FlowGraph(props: {
  graph: FlowGraphData;
  /** Nodes the checker found problems in, with the first message. */
  problems: ReadonlyMap<string, string>;
  /** Node ids of a simulated run, in order. */
  path: readonly string[];
  onNode(id: string, line: number | null): void;
}) {
  const { t } = useI18n();
  const layout = useMemo(() => layoutFlowGraph(props.graph), [props.graph]);
  const onPath = new Set(props.path);
  const pathSteps = new Set(props.path.slice(1).map((to, i) => `${props.path[i] ?? ''}\u0000${to}`));
  return (
    <div class="flow-graph" id="flow-graph">
      <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="img" aria-label={t('flowGraph')}>
        <defs>
          <marker id="flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
          </marker>
          <marker id="flow-arrow-path" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead on-path" />
          </marker>
        </defs>
        {layout.edges.map((e) => {
          const highlighted = pathSteps.has(`${e.from}\u0000${e.to}`);
          const label = e.fields.map((f) => edgeLabel(f, t)).filter((l) => l !== '').join(', ');
          return (
            <g class={`edge${e.back ? ' back' : ''}${highlighted ? ' on-path' : ''}`} data-from={e.from} data-to={e.to} data-label={label}>
              <path d={e.d} marker-end={highlighted ? 'url(#flow-arrow-path)' : 'url(#flow-arrow)'} />
              {label !== '' && (
                <g class="edge-label" transform={`translate(${e.labelX} ${e.labelY})`}>
                  <rect x={-(label.length * 3.6 + 5)} y={-9} width={label.length * 7.2 + 10} height={17} rx={8} />
                  <text text-anchor="middle" y={4}>{label}</text>
                </g>
              )}
            </g>
          );
        })}
        {layout.nodes.map((n) => {
          const problem = props.problems.get(n.id);
          const classes = ['node', `t-${n.type}`];
          if (problem !== undefined || n.type === 'missing') classes.push('problem');
          if (!n.reachable) classes.push('unreachable');
          if (onPath.has(n.id)) classes.push('on-path');
          if (n.id === props.graph.start) classes.push('start');
          const id = n.id.length > MAX_ID_CHARS ? `${n.id.slice(0, MAX_ID_CHARS - 1)}…` : n.id;
          const tooltip = [n.id, problem ?? (n.type === 'missing' ? t('flowMissingNode') : null), !n.reachable && n.type !== 'missing' ? t('flowUnreachable') : null]
            .filter((x) => x !== null).join('\n');
          return (
            <g
              class={classes.join(' ')}
              data-node={n.id}
              data-type={n.type}
              data-problem={problem !== undefined || n.type === 'missing' ? 'true' : 'false'}
              data-reachable={n.reachable ? 'true' : 'false'}
              transform={`translate(${n.x} ${n.y})`}
              onClick={() => props.onNode(n.id, n.line)}
            >
              <title>{tooltip}</title>
              <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} />
              <text class="node-type" x={8} y={14}>{n.type === 'missing' ? t('flowMissingNode') : n.type}</text>
              <text class="node-id" x={8} y={31}>{id}</text>
              {problem !== undefined && <text class="node-mark" x={NODE_WIDTH - 8} y={16} text-anchor="end">!</text>}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
