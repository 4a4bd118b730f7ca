import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useI18n } from '../../i18n/I18nProvider';
import { PALETTE, type Row } from './series';

interface Props {
  rows: Row[];
  keys: string[];
  kind: 'line' | 'stacked-bar';
  unit?: string;
}

/** A chart over bucket starts: lines (rates, percentiles) or stacked bars (volumes). */
export function TimeChart({ rows, keys, kind, unit }: Props) {
  const { language } = useI18n();
  const tick = (v: string) => new Intl.DateTimeFormat(language, { month: 'numeric', day: 'numeric', hour: 'numeric' }).format(new Date(v));
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis dataKey="start" tickFormatter={tick} minTickGap={24} />
      <YAxis unit={unit} width={56} />
      <Tooltip labelFormatter={(v) => tick(String(v))} />
      <Legend />
    </>
  );
  return (
    <ResponsiveContainer width="100%" height={260}>
      {kind === 'line' ? (
        <LineChart data={rows}>
          {axes}
          {keys.map((k, i) => (
            <Line key={k} type="monotone" dataKey={k} stroke={PALETTE[i % PALETTE.length]} dot={false} connectNulls isAnimationActive={false} />
          ))}
        </LineChart>
      ) : (
        <BarChart data={rows}>
          {axes}
          {keys.map((k, i) => (
            <Bar key={k} dataKey={k} stackId="a" fill={PALETTE[i % PALETTE.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      )}
    </ResponsiveContainer>
  );
}
