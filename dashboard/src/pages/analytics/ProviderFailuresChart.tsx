import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Row } from './series';

export function ProviderFailuresChart({ rows }: { rows: Row[] }) {
  return (
    <ResponsiveContainer width="100%" height={260}>
      <BarChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="provider" />
        <YAxis allowDecimals={false} width={56} />
        <Tooltip />
        <Bar dataKey="failed" fill="#dc2626" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
