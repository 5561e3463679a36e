// A completed job's summary: groups and amounts by status, the match rate, what is left unexplained,
// and how the confidences are spread.
import { Fragment } from "preact";
import { formatAmount, type JobSummary } from "../api";
import { percent } from "../ui";

const STATUSES: { key: string; label: string }[] = [
  { key: "matched", label: "Matched" },
  { key: "suggested", label: "Suggested" },
  { key: "confirmed", label: "Confirmed" },
  { key: "rejected", label: "Rejected" },
  { key: "unmatched_left", label: "Unmatched left" },
  { key: "unmatched_right", label: "Unmatched right" },
];

export function SummaryPanel(props: { summary: JobSummary }) {
  const s = props.summary;
  return (
    <div class="summary" data-testid="summary">
      <div class="tiles">
        <div class="tile">
          <div class="big" data-testid="match-rate">
            {percent(s.match_rate)}
          </div>
          <div class="muted">match rate</div>
        </div>
        {STATUSES.map((st) => (
          <div class={`tile ${st.key}`} key={st.key}>
            <div class="big">{s.groups[st.key] ?? 0}</div>
            <div class="muted">{st.label.toLowerCase()}</div>
          </div>
        ))}
        {s.offsets && s.offsets.groups > 0 && (
          <div class="tile">
            <div class="big">{s.offsets.groups}</div>
            <div class="muted">offsets</div>
          </div>
        )}
      </div>
      <div class="columns">
        <div class="scroll">
          <table class="list amounts">
            <caption>Amounts by status</caption>
            <thead>
              <tr>
                <th scope="col">Currency</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Groups
                </th>
                <th scope="col" class="num">
                  Left
                </th>
                <th scope="col" class="num">
                  Right
                </th>
              </tr>
            </thead>
            <tbody>
              {s.currencies.map((c) => (
                <Fragment key={c.currency}>
                  {STATUSES.filter((st) => c.by_status[st.key]).map((st) => (
                    <tr key={`${c.currency}-${st.key}`}>
                      <td>{c.currency}</td>
                      <td>{st.label}</td>
                      <td class="num">{c.by_status[st.key].groups}</td>
                      <td class="num">{formatAmount(c.by_status[st.key].left_amount)}</td>
                      <td class="num">{formatAmount(c.by_status[st.key].right_amount)}</td>
                    </tr>
                  ))}
                  <tr key={`${c.currency}-net`} class="total">
                    <td>{c.currency}</td>
                    <td colSpan={3}>Net unexplained (left − right, not matched or confirmed)</td>
                    <td class="num" data-testid={`net-${c.currency}`}>
                      {formatAmount(c.net_unexplained)}
                    </td>
                  </tr>
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
        {s.confidence_histogram && <ConfidenceChart bins={s.confidence_histogram} />}
      </div>
    </div>
  );
}

// Bars of groups per confidence band, as SVG (no chart library), with the numbers in a table for
// screen readers.
function ConfidenceChart(props: { bins: { from: number; to: number; groups: number }[] }) {
  const max = Math.max(1, ...props.bins.map((b) => b.groups));
  const width = 320;
  const height = 120;
  const barWidth = width / Math.max(1, props.bins.length);
  return (
    <figure class="chart">
      <figcaption>Groups by confidence</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 18}`} role="img" aria-label="Number of groups in each confidence band" width="100%">
        {props.bins.map((b, i) => {
          const h = (b.groups / max) * height;
          return (
            <g key={i}>
              <rect x={i * barWidth + 2} y={height - h} width={barWidth - 4} height={h} class={b.from >= 0.8 ? "bar high" : b.from >= 0.5 ? "bar mid" : "bar low"}>
                <title>
                  {b.from.toFixed(1)}–{b.to.toFixed(1)}: {b.groups}
                </title>
              </rect>
              {i % 2 === 0 && (
                <text x={i * barWidth + 2} y={height + 14} class="axis">
                  {b.from.toFixed(1)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <table class="visually-hidden">
        <caption>Groups by confidence</caption>
        <tbody>
          {props.bins.map((b, i) => (
            <tr key={i}>
              <th scope="row">
                {b.from.toFixed(1)} to {b.to.toFixed(1)}
              </th>
              <td>{b.groups}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
