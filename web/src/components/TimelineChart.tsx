import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Day {
  date: string;
  sent: number;
  opened: number;
  clicked: number;
  replied: number;
}

const SERIES: { key: keyof Omit<Day, 'date'>; label: string; color: string }[] = [
  { key: 'sent', label: 'Sent', color: '#1d4ed8' },
  { key: 'opened', label: 'Opened', color: '#047857' },
  { key: 'clicked', label: 'Clicked', color: '#b45309' },
  { key: 'replied', label: 'Replied', color: '#9d174d' },
];

const DAY_LABEL = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

function data(days: Day[]): uPlot.AlignedData {
  const xs = days.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000);
  return [xs, ...SERIES.map((s) => days.map((d) => d[s.key]))];
}

/** The campaign's daily events as lines (uPlot on a canvas), resized with its container. */
export function TimelineChart({ days }: { days: Day[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current!;
    const width = () => Math.max(260, el.clientWidth);
    const opts: uPlot.Options = {
      width: width(),
      height: 260,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
      axes: [
        {
          stroke: '#374151',
          grid: { stroke: '#e5e7eb' },
          // Whole days only: the timeline has one point per UTC day.
          incrs: [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400],
          values: (_u, ticks) => ticks.map((t) => DAY_LABEL.format(new Date(t * 1000))),
        },
        { stroke: '#374151', grid: { stroke: '#e5e7eb' }, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) },
      ],
      series: [
        { label: 'Day', value: (_u, ts) => (ts == null ? '—' : new Date(ts * 1000).toISOString().slice(0, 10)) },
        ...SERIES.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: days.length <= 31 } })),
      ],
      legend: { live: true },
    };
    plot.current = new uPlot(opts, data(days), el);
    const observer = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: 260 }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(data(days));
  }, [days]);

  return <div class="chart" ref={box} data-testid="timeline-chart" />;
}
