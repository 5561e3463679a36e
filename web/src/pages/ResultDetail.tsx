// One result: both sides' records side by side and why it scored what it scored, rule by rule.
import { Fragment } from "preact";
import { api, formatAmount, minorToText, scaleOf, type ExplanationLine, type RecordItem, type Result } from "../api";
import { asApiError, showToast } from "../ui";

export function recordLine(r: RecordItem): string {
  const words = r.reference || r.counterparty || r.description;
  return `${r.transaction_date ?? ""} ${formatAmount(r.amount)} ${r.currency ?? ""} ${words}`.replace(/ +/g, " ").trim();
}

const HELD: Record<string, string> = {
  amount_difference: "The sums differ by more than the rules allow for auto-matching.",
  ambiguous: "Another explanation of these records scores almost as well: see the alternatives.",
  partly_paid: "These payments pay only part of the invoice: the difference is its open balance.",
  sum_only: "Only the sum speaks for these records: the one pair of the customer's many open records that meets the amount, with no invoice number.",
};

export function ResultDetail(props: { result: Result; onChanged: (r: Result) => void; onMatchRemoved: () => void }) {
  const r = props.result;
  const act = async (path: string, method = "POST") => {
    try {
      if (method === "DELETE") {
        await api(path, { method });
        props.onMatchRemoved();
      } else {
        props.onChanged(await api<Result>(path, { method, headers: { "If-Match": `"${r.version}"` } }));
      }
    } catch (e) {
      showToast(asApiError(e).detail, { kind: "error" });
    }
  };
  // Records of customers or people have no amounts: no totals, no difference.
  const amounts = r.left_amount_minor !== null && r.right_amount_minor !== null;
  const difference = (r.left_amount_minor ?? 0) - (r.right_amount_minor ?? 0);
  const scale = scaleOf((r.left[0] ?? r.right[0])?.amount);
  const manual = r.match_id !== null && r.explanation.length === 0;
  return (
    <article class="detail" aria-labelledby="detail-title" data-testid="result-detail">
      <header class="row spread">
        <h2 id="detail-title">
          {r.kind.replace(/_/g, " ")} · <span class={`status ${r.status}`}>{r.status}</span>
        </h2>
        <div class="actions">
          {(r.status === "matched" || r.status === "suggested" || r.status === "rejected") && (
            <button type="button" onClick={() => act(`/results/${r.id}/confirm`)}>
              Confirm
            </button>
          )}
          {(r.status === "matched" || r.status === "suggested" || r.status === "confirmed") && !manual && (
            <button type="button" class="secondary" onClick={() => act(`/results/${r.id}/reject`)}>
              Reject
            </button>
          )}
          {(r.status === "confirmed" || r.status === "rejected") && !manual && (
            <button type="button" class="secondary" onClick={() => act(`/results/${r.id}/reopen`)}>
              Reopen
            </button>
          )}
          {manual && r.match_id && (
            <button type="button" class="secondary" onClick={() => act(`/matches/${r.match_id}`, "DELETE")}>
              Unmatch
            </button>
          )}
        </div>
      </header>
      {r.held && <p class="note warn">{HELD[r.held] ?? r.held}</p>}
      <div class="sides">
        <Side title="Left" records={r.left} total={amounts && r.left.length ? minorToText(r.left_amount_minor ?? 0, scale) : ""} currency={r.currency ?? ""} />
        <Side title="Right" records={r.right} total={amounts && r.right.length ? minorToText(r.right_amount_minor ?? 0, scale) : ""} currency={r.currency ?? ""} />
      </div>
      {amounts && r.left.length > 0 && r.right.length > 0 && (
        <p class={`difference${difference !== 0 ? " warn" : ""}`}>
          Difference: {minorToText(difference, scale)} {r.currency}
        </p>
      )}
      {r.explanation.length > 0 && <Explanation lines={r.explanation} confidence={r.confidence} />}
      {manual && <p class="muted">Matched by hand: confidence 1.</p>}
      {r.alternatives.length > 0 && (
        <section>
          <h3>Alternatives</h3>
          <ul class="alternatives">
            {r.alternatives.map((a, i) => (
              <li key={i}>
                {Math.round(a.confidence * 100)} % — {a.left_ids.length} left, {a.right_ids.length} right record
                {a.left_ids.length + a.right_ids.length > 1 ? "s" : ""}
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}

function Side(props: { title: string; records: RecordItem[]; total: string; currency: string }) {
  return (
    <section class="side-records">
      <h3>
        {props.title}
        {props.total && (
          <span class="muted small">
            {" "}
            · {props.records.length} record{props.records.length === 1 ? "" : "s"}, {props.total} {props.currency}
          </span>
        )}
      </h3>
      {props.records.length === 0 && <p class="muted">None.</p>}
      {props.records.map((rec) => (
        <dl key={rec.id} class="record">
          <dt>Date</dt>
          <dd>{rec.transaction_date ?? "—"}</dd>
          {rec.amount !== null && (
            <>
              <dt>Amount</dt>
              <dd class="num">
                {formatAmount(rec.amount)} {rec.currency}
              </dd>
            </>
          )}
          {(
            [
              ["Reference", rec.reference],
              ["Counterparty", rec.counterparty],
              ["Description", rec.description],
              ["Id", rec.external_id],
            ] as const
          )
            .filter(([, value]) => value)
            .map(([label, value]) => (
              <Fragment key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </Fragment>
            ))}
        </dl>
      ))}
    </section>
  );
}

// The confidence as the sum of its rules' contributions: one bar, one segment per rule, and a table
// of what was compared.
function Explanation(props: { lines: ExplanationLine[]; confidence: number }) {
  const colours = ["c1", "c2", "c3", "c4", "c5", "c6"];
  // Scored by a match model: each rule's weight is its match weight, with the m and u behind it.
  const modelled = props.lines.some((l) => l.level !== undefined);
  const probability = (p: number | undefined) => (p === undefined ? "" : p >= 0.01 ? p.toFixed(2) : p.toPrecision(2));
  return (
    <section class="explanation">
      <h3>
        Why {Math.round(props.confidence * 1000) / 10} %
      </h3>
      <div class="bar" role="img" aria-label={`Confidence ${Math.round(props.confidence * 100)} % from ${props.lines.length} rules`}>
        {props.lines
          .filter((l) => l.contribution > 0)
          .map((l, i) => (
            <span key={l.rule} class={`segment ${colours[i % colours.length]}`} style={{ width: `${Math.min(100, l.contribution * 100)}%` }} title={`${l.rule}: ${l.contribution.toFixed(3)}`} />
          ))}
      </div>
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Left</th>
            <th scope="col">Right</th>
            <th scope="col" class="num">
              Similarity
            </th>
            <th scope="col" class="num">
              {modelled ? "Match weight" : "Weight"}
            </th>
            <th scope="col" class="num">
              Adds
            </th>
          </tr>
        </thead>
        <tbody>
          {props.lines.map((l, i) => (
            <tr key={l.rule} class={l.present ? "" : "muted"}>
              <th scope="row" title={l.comparison}>
                <span class={`swatch ${l.contribution > 0 ? colours[props.lines.filter((x) => x.contribution > 0).indexOf(l) % colours.length] : ""}`} aria-hidden="true" />
                {l.rule}
                <div class="muted small">{l.comparison}</div>
              </th>
              <td>{l.left_value || "—"}</td>
              <td>{l.right_value || "—"}</td>
              <td class="num">{l.present ? l.similarity.toFixed(2) : "absent"}</td>
              {modelled ? (
                <td class="num">
                  {l.present ? `${(l.match_weight ?? 0) >= 0 ? "+" : ""}${(l.match_weight ?? 0).toFixed(2)} bits` : "0"}
                  {l.present && (
                    <div class="muted small">
                      {l.level} · m {probability(l.m)} · u {probability(l.u)}
                    </div>
                  )}
                </td>
              ) : (
                <td class="num">{l.weight.toFixed(2)}</td>
              )}
              <td class="num" data-index={i}>
                {l.contribution.toFixed(3)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
