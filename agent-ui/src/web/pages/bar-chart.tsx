// A grouped bar chart in plain SVG: one group per bucket, one bar per series.
export interface BarSeries { label: string; color: string; values: number[] }

export function BarChart(props: { labels: string[]; series: BarSeries[]; height?: number }) {
  const height = props.height ?? 180;
  const padTop = 10;
  const padBottom = 22;
  const padLeft = 30;
  const groupWidth = Math.max(24, Math.min(80, 900 / Math.max(1, props.labels.length)));
  const width = padLeft + groupWidth * props.labels.length + 10;
  const max = Math.max(1, ...props.series.flatMap((s) => s.values));
  const plot = height - padTop - padBottom;
  const barWidth = (groupWidth - 6) / Math.max(1, props.series.length);
  // Label every n-th bucket so the labels do not overlap.
  const every = Math.ceil(props.labels.length / 16);
  return (
    <figure class="chart">
      <svg id="report-chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img">
        <line x1={padLeft} y1={padTop + plot} x2={width} y2={padTop + plot} stroke="#999" />
        <text x={padLeft - 4} y={padTop + 8} text-anchor="end" font-size="10">{max}</text>
        <text x={padLeft - 4} y={padTop + plot} text-anchor="end" font-size="10">0</text>
        {props.labels.map((label, i) => (
          <g>
            {props.series.map((s, j) => {
              const v = s.values[i] ?? 0;
              const h = (v / max) * plot;
              return <rect class="bar" x={padLeft + i * groupWidth + 3 + j * barWidth} y={padTop + plot - h} width={barWidth - 1} height={h} fill={s.color}><title>{`${s.label}: ${v}`}</title></rect>;
            })}
            {i % every === 0 && <text x={padLeft + i * groupWidth + groupWidth / 2} y={height - 6} text-anchor="middle" font-size="10">{label}</text>}
          </g>
        ))}
      </svg>
      <figcaption>{props.series.map((s) => <span class="legend"><i style={{ background: s.color }} />{s.label}</span>)}</figcaption>
    </figure>
  );
}
