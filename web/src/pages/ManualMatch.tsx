// Find & match: pick open records on each side; the running totals and their difference show as
// you pick; the server checks the sums and writes a confirmed match.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, formatAmount, minorToText, query, scaleOf, type Job, type Page, type RecordItem, type Result } from "../api";
import { asApiError, Problem, Spinner } from "../ui";

function shiftDate(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function ManualMatch(props: { job: Job; anchor: Result | null; onClose: () => void; onMatched: (r: Result) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const anchorRecord = props.anchor?.left[0] ?? props.anchor?.right[0];
  const [dateFrom, setDateFrom] = useState(anchorRecord?.transaction_date ? shiftDate(anchorRecord.transaction_date, -30) : "");
  const [dateTo, setDateTo] = useState(anchorRecord?.transaction_date ? shiftDate(anchorRecord.transaction_date, 30) : "");
  const [text, setText] = useState("");
  const [picked, setPicked] = useState<Map<string, RecordItem>>(() => {
    const m = new Map<string, RecordItem>();
    if (props.anchor && props.anchor.status === "unmatched") for (const r of [...props.anchor.left, ...props.anchor.right]) m.set(r.id, r);
    return m;
  });
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const currency = anchorRecord?.currency ?? undefined;

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const toggle = (r: RecordItem) => {
    const next = new Map(picked);
    if (next.has(r.id)) next.delete(r.id);
    else next.set(r.id, r);
    setPicked(next);
  };

  const left = [...picked.values()].filter((r) => r.data_source_id === props.job.left_data_source_id);
  const right = [...picked.values()].filter((r) => r.data_source_id === props.job.right_data_source_id);
  const sum = (list: RecordItem[]) => list.reduce((s, r) => s + (r.amount_minor ?? 0), 0);
  const cur = currency ?? left[0]?.currency ?? right[0]?.currency ?? "";
  const scale = scaleOf((anchorRecord ?? picked.values().next().value)?.amount);
  const difference = sum(left) - sum(right);

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const created = await api<Result>(`/jobs/${props.job.id}/matches`, {
        method: "POST",
        body: { left_record_ids: left.map((r) => r.id), right_record_ids: right.map((r) => r.id) },
      });
      props.onMatched(created);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} class="manual-match" aria-labelledby="mm-title" onClose={props.onClose} data-testid="manual-match">
      <header class="row spread">
        <h2 id="mm-title">Find &amp; match</h2>
        <button type="button" class="link" onClick={() => dialog.current?.close()} aria-label="Close">
          ×
        </button>
      </header>
      <div class="row filters-row">
        <label class="inline-field">
          <span>From</span>
          <input type="date" value={dateFrom} onChange={(e) => setDateFrom(e.currentTarget.value)} />
        </label>
        <label class="inline-field">
          <span>To</span>
          <input type="date" value={dateTo} onChange={(e) => setDateTo(e.currentTarget.value)} />
        </label>
        <label class="inline-field grow">
          <span>Contains</span>
          <input type="search" value={text} placeholder="reference, name, amount" onInput={(e) => setText(e.currentTarget.value)} />
        </label>
      </div>
      <div class="sides">
        {(
          [
            ["Left", props.job.left_data_source_id],
            ["Right", props.job.right_data_source_id],
          ] as const
        ).map(([title, dataSourceId]) => (
          <Picker
            key={title}
            title={title}
            projectId={props.job.project_id}
            dataSourceId={dataSourceId}
            currency={currency}
            dateFrom={dateFrom}
            dateTo={dateTo}
            text={text}
            picked={picked}
            onToggle={toggle}
          />
        ))}
      </div>
      <footer class="totals" aria-live="polite" data-testid="match-totals">
        <span>
          Left {left.length}: <strong>{minorToText(sum(left), scale)}</strong>
        </span>
        <span>
          Right {right.length}: <strong>{minorToText(sum(right), scale)}</strong>
        </span>
        <span class={difference === 0 ? "ok" : "warn"}>
          Difference: <strong data-testid="match-difference">{minorToText(difference, scale)}</strong> {cur}
        </span>
        <button type="button" onClick={submit} disabled={busy || picked.size < 2}>
          Match {picked.size} records
        </button>
      </footer>
      <Problem error={error} />
    </dialog>
  );
}

function Picker(props: {
  title: string;
  projectId: string;
  dataSourceId: string;
  currency: string | undefined;
  dateFrom: string;
  dateTo: string;
  text: string;
  picked: Map<string, RecordItem>;
  onToggle: (r: RecordItem) => void;
}) {
  const [records, setRecords] = useState<RecordItem[] | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    const controller = new AbortController();
    setRecords(undefined);
    api<Page<RecordItem>>(
      `/projects/${props.projectId}/records${query({
        data_source_id: props.dataSourceId,
        status: "open",
        currency: props.currency,
        date_from: props.dateFrom || undefined,
        date_to: props.dateTo || undefined,
        per_page: 100,
      })}`,
      { signal: controller.signal },
    ).then(
      (p) => setRecords(p.items),
      (e) => !controller.signal.aborted && setError(asApiError(e)),
    );
    return () => controller.abort();
  }, [props.projectId, props.dataSourceId, props.currency, props.dateFrom, props.dateTo]);

  const needle = props.text.trim().toLowerCase();
  const shown = (records ?? []).filter(
    (r) =>
      props.picked.has(r.id) ||
      !needle ||
      [r.reference, r.counterparty, r.description, r.amount ?? "", r.external_id ?? ""].some((v) => v.toLowerCase().includes(needle)),
  );
  return (
    <section class="picker" aria-label={`${props.title} records`} data-testid={`picker-${props.title.toLowerCase()}`}>
      <h3>{props.title} — open records</h3>
      <Problem error={error} />
      {!records && !error && <Spinner />}
      {records && shown.length === 0 && <p class="muted">No open record here.</p>}
      <ul>
        {shown.map((r) => (
          <li key={r.id}>
            <label>
              <input type="checkbox" checked={props.picked.has(r.id)} onChange={() => props.onToggle(r)} />
              <span class="date">{r.transaction_date}</span>
              <span class="num">{formatAmount(r.amount)}</span>
              <span>{r.reference || r.counterparty || r.description}</span>
            </label>
          </li>
        ))}
      </ul>
    </section>
  );
}
