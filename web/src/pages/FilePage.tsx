// One uploaded file: its parse, its bad rows, a preview with the mapping it was read with, and a
// corrected mapping saved to its data source and the file parsed again.
import { useEffect, useState } from "preact/hooks";
import {
  api,
  ApiError,
  formatAmount,
  MAPPED_FIELDS,
  query,
  type ColumnMapping,
  type DataSource,
  type MappedField,
  type Page,
  type Preview,
  type RowError,
  type StoredFile,
} from "../api";
import { asApiError, Field, formatBytes, Link, Pager, Problem, showToast, Spinner, useDocumentTitle, useLoad } from "../ui";
import { FileStatus } from "./ProjectPage";

const FIELD_LABELS: Record<MappedField, string> = {
  date: "Date",
  amount: "Amount (signed)",
  debit: "Debit",
  credit: "Credit",
  currency: "Currency",
  reference: "Reference",
  description: "Description",
  counterparty: "Counterparty",
  external_id: "External id",
  credit_debit_indicator: "Credit/debit indicator",
};

export function FilePage(props: { id: string }) {
  const file = useLoad((signal) => api<StoredFile>(`/files/${props.id}`, { signal }), [props.id]);
  useDocumentTitle(file.data?.filename ?? "File");
  const waiting = file.data?.status === "uploaded" || file.data?.status === "parsing";
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(file.reload, 1000);
    return () => clearInterval(t);
  }, [waiting, file.reload]);

  if (file.error) return <Problem error={file.error} />;
  if (!file.data) return <Spinner />;
  return <FileView file={file.data} reloadFile={file.reload} />;
}

function FileView(props: { file: StoredFile; reloadFile: () => void }) {
  const f = props.file;
  const source = useLoad((signal) => api<DataSource>(`/data-sources/${f.data_source_id}`, { signal }), [f.data_source_id]);
  const [previewTick, setPreviewTick] = useState(0);
  const preview = useLoad((signal) => api<Preview>(`/files/${f.id}/preview${query({ rows: 20 })}`, { signal }), [f.id, previewTick]);
  const [errorsPage, setErrorsPage] = useState(1);
  const errors = useLoad(
    (signal) => api<Page<RowError>>(`/files/${f.id}/errors${query({ page: errorsPage, per_page: 50 })}`, { signal }),
    [f.id, errorsPage, f.status, f.rows_failed],
  );

  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> / <Link href={`/projects/${source.data?.project_id ?? ""}`}>{source.data?.name ?? "…"}</Link> /{" "}
        <span>{f.filename}</span>
      </nav>
      <h1>{f.filename || "File"}</h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd data-testid="file-status">
          <FileStatus file={f} />
        </dd>
        <dt>Rows read</dt>
        <dd data-testid="rows-ok">{f.rows_ok}</dd>
        <dt>Bad rows</dt>
        <dd data-testid="rows-failed">{f.rows_failed}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(f.size_bytes)}</dd>
      </dl>
      {f.error && (
        <div class="problem" role="alert">
          Parsing failed: {f.error}
        </div>
      )}

      <h2>Preview</h2>
      <Problem error={preview.error} />
      {preview.data && <PreviewTable preview={preview.data} />}

      {source.data && preview.data && (
        <MappingEditor
          file={f}
          source={source.data}
          header={preview.data.layout.header}
          format={preview.data.layout.format}
          detected={preview.data.layout.mapping}
          onSaved={(s) => {
            source.set(s);
            setPreviewTick((t) => t + 1);
          }}
          onTried={preview.set}
          onReparsed={props.reloadFile}
        />
      )}

      <h2>Bad rows</h2>
      <Problem error={errors.error} />
      {errors.data && errors.data.items.length === 0 && <p class="muted">No bad row.</p>}
      {errors.data && errors.data.items.length > 0 && (
        <>
          <table class="list" data-testid="bad-rows">
            <thead>
              <tr>
                <th scope="col" class="num">
                  Line
                </th>
                <th scope="col">Column</th>
                <th scope="col">Value</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {errors.data.items.map((e, i) => (
                <tr key={i}>
                  <td class="num">{e.line}</td>
                  <td>{e.column || "(row)"}</td>
                  <td>
                    <code>{e.value}</code>
                  </td>
                  <td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager label="Bad rows pages" page={errorsPage} perPage={errors.data.per_page} total={errors.data.total} onPage={setErrorsPage} />
        </>
      )}
    </section>
  );
}

function PreviewTable(props: { preview: Preview }) {
  const { layout, rows } = props.preview;
  return (
    <>
      <p class="muted small">
        Read as {layout.format}
        {layout.delimiter ? ` (delimiter “${layout.delimiter === "\t" ? "tab" : layout.delimiter}”)` : ""}
        {layout.date_order ? `, dates ${layout.date_order}` : ""}, decimal separator “{layout.decimal_separator}”.
        {layout.warnings?.map((w) => (
          <span class="warn"> {w}</span>
        ))}
      </p>
      <div class="scroll">
        <table class="list preview" data-testid="preview">
          <thead>
            <tr>
              <th scope="col" class="num">
                Line
              </th>
              <th scope="col">Date</th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col">Currency</th>
              <th scope="col">Reference</th>
              <th scope="col">Counterparty</th>
              <th scope="col">Description</th>
              <th scope="col">Problems</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.line} class={r.errors.length ? "bad" : ""}>
                <td class="num">{r.line}</td>
                <td>{r.record?.transaction_date ?? ""}</td>
                <td class="num">{r.record ? formatAmount(r.record.amount) : ""}</td>
                <td>{r.record?.currency ?? ""}</td>
                <td>{r.record?.reference ?? ""}</td>
                <td>{r.record?.counterparty ?? ""}</td>
                <td>{r.record?.description ?? ""}</td>
                <td>
                  {r.errors.map((e, i) => (
                    <div key={i} class="field-error">
                      {e.column ? `${e.column}: ` : ""}
                      {e.reason}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function MappingEditor(props: {
  file: StoredFile;
  source: DataSource;
  header: string[];
  format: string;
  detected: Partial<Record<MappedField, string>>;
  onSaved: (s: DataSource) => void;
  onTried: (p: Preview) => void;
  onReparsed: () => void;
}) {
  const initial = props.source.column_mapping;
  const [columns, setColumns] = useState<Partial<Record<MappedField, string>>>(() => {
    const c: Partial<Record<MappedField, string>> = {};
    for (const [k, v] of Object.entries(initial.columns ?? {})) if (v) c[k as MappedField] = v;
    return c;
  });
  const [dateFormat, setDateFormat] = useState(initial.date_format ?? "auto");
  const [decimal, setDecimal] = useState(initial.decimal_separator ?? "auto");
  const [currency, setCurrency] = useState(initial.default_currency ?? "");
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  // Columns are mapped in tables only; a bank statement's fields come from its format.
  const isTable = props.header.length > 0 && ["csv", "json", "jsonl"].includes(props.format);

  const mapping = (): ColumnMapping => {
    const m: ColumnMapping = {};
    const cols = Object.fromEntries(Object.entries(columns).filter(([, v]) => v));
    if (Object.keys(cols).length) m.columns = cols;
    if (dateFormat !== "auto") m.date_format = dateFormat;
    if (decimal !== "auto") m.decimal_separator = decimal;
    if (currency.trim()) m.default_currency = currency.trim().toUpperCase();
    if (initial.all_or_nothing) m.all_or_nothing = true;
    return m;
  };

  // The preview above, read with the mapping as edited, nothing saved.
  const tryMapping = async () => {
    setBusy(true);
    setError(undefined);
    try {
      props.onTried(await api<Preview>(`/files/${props.file.id}/preview`, { method: "POST", body: { column_mapping: mapping(), rows: 20 } }));
      showToast("The preview shows the file read with this mapping (not saved).");
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const saveAndReparse = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api<DataSource>(`/data-sources/${props.source.id}`, {
        method: "PATCH",
        headers: { "If-Match": `"${props.source.version}"` },
        body: { column_mapping: mapping() },
      });
      props.onSaved(saved);
      await api(`/files/${props.file.id}/reparse`, { method: "POST", body: {} });
      showToast(`Mapping saved; ${props.file.filename} is parsed again.`);
      props.onReparsed();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card mapping" onSubmit={saveAndReparse} aria-labelledby="mapping-title" noValidate>
      <h2 id="mapping-title">Column mapping of “{props.source.name}”</h2>
      <p class="muted small">
        What is left on “detect” is found per file; the preview above shows what was detected, or what a mapping you try gives.
        Saving changes the data source, so its later files are read the same way.
      </p>
      <Problem error={error} fields={["column_mapping"]} />
      {isTable && (
        <div class="grid">
          {MAPPED_FIELDS.map((field) => (
            <Field key={field} label={FIELD_LABELS[field]} name={`column_mapping.columns.${field}`} error={error}>
              {(a) => (
                <select
                  {...a}
                  name={field}
                  value={columns[field] ?? ""}
                  onChange={(e) => setColumns({ ...columns, [field]: e.currentTarget.value || undefined })}
                >
                  <option value="">detect{props.detected[field] ? ` (${props.detected[field]})` : ""}</option>
                  {props.header.map((h) => (
                    <option key={h} value={h}>
                      {h}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ))}
        </div>
      )}
      <div class="grid">
        <Field label="Date format" name="column_mapping.date_format" error={error}>
          {(a) => (
            <select {...a} name="date_format" value={dateFormat} onChange={(e) => setDateFormat(e.currentTarget.value)}>
              {["auto", "iso", "dd/mm/yyyy", "mm/dd/yyyy", "dd.mm.yyyy", "yyyymmdd"].map((f) => (
                <option key={f} value={f}>
                  {f === "auto" ? "detect" : f}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Decimal separator" name="column_mapping.decimal_separator" error={error}>
          {(a) => (
            <select {...a} name="decimal_separator" value={decimal} onChange={(e) => setDecimal(e.currentTarget.value)}>
              <option value="auto">detect</option>
              <option value=".">. (1,234.56)</option>
              <option value=",">, (1.234,56)</option>
            </select>
          )}
        </Field>
        <Field label="Default currency" name="column_mapping.default_currency" error={error}>
          {(a) => <input {...a} name="default_currency" maxLength={3} value={currency} onInput={(e) => setCurrency(e.currentTarget.value)} />}
        </Field>
      </div>
      <div class="actions">
        <button type="button" class="secondary" disabled={busy} onClick={tryMapping}>
          Preview with this mapping
        </button>
        <button type="submit" disabled={busy || props.file.status === "parsing"}>
          Save mapping and re-parse
        </button>
      </div>
    </form>
  );
}
