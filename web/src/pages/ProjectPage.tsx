// A project: its data sources with their uploads and files, its jobs, its audit trail.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  api,
  ApiError,
  query,
  uploadFile,
  type AuditEntry,
  type DataSource,
  type Job,
  type Page,
  type Project,
  type StoredFile,
} from "../api";
import { asApiError, Field, formatBytes, formatDateTime, Link, Pager, Problem, showToast, Spinner, useDocumentTitle, useLoad } from "../ui";

export function ProjectPage(props: { id: string; tab: "data" | "jobs" | "audit" }) {
  const project = useLoad((signal) => api<Project>(`/projects/${props.id}`, { signal }), [props.id]);
  useDocumentTitle(project.data?.name ?? "Project");
  if (project.error) return <Problem error={project.error} />;
  if (!project.data) return <Spinner />;
  const base = `/projects/${props.id}`;
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> / <span>{project.data.name}</span>
      </nav>
      <h1>{project.data.name}</h1>
      {project.data.description && <p class="muted">{project.data.description}</p>}
      <nav class="tabs" aria-label="Project">
        <Link href={base} aria-current={props.tab === "data" ? "page" : undefined}>
          Data
        </Link>
        <Link href={`${base}/jobs`} aria-current={props.tab === "jobs" ? "page" : undefined}>
          Jobs
        </Link>
        <Link href={`${base}/audit`} aria-current={props.tab === "audit" ? "page" : undefined}>
          Audit trail
        </Link>
      </nav>
      {props.tab === "data" && <DataTab projectId={props.id} />}
      {props.tab === "jobs" && <JobsTab projectId={props.id} />}
      {props.tab === "audit" && <AuditTab projectId={props.id} />}
    </section>
  );
}

// --- data sources and files ----------------------------------------------------------------------

const KINDS = ["bank", "ledger", "processor", "erp", "crm", "other"];
const DATE_FORMATS = ["auto", "iso", "dd/mm/yyyy", "mm/dd/yyyy", "dd.mm.yyyy", "yyyymmdd"];

function DataTab(props: { projectId: string }) {
  const sources = useLoad(
    (signal) => api<Page<DataSource>>(`/projects/${props.projectId}/data-sources${query({ per_page: 100 })}`, { signal }),
    [props.projectId],
  );
  const files = useLoad(
    (signal) => api<Page<StoredFile>>(`/projects/${props.projectId}/files${query({ per_page: 100 })}`, { signal }),
    [props.projectId],
  );
  // While a file waits for its parse, look again every second.
  const busy = files.data?.items.some((f) => f.status === "uploaded" || f.status === "parsing");
  useEffect(() => {
    if (!busy) return;
    const t = setInterval(files.reload, 1000);
    return () => clearInterval(t);
  }, [busy, files.reload]);

  return (
    <div class="columns">
      <div>
        <Problem error={sources.error ?? files.error} />
        {sources.loading && !sources.data && <Spinner />}
        {sources.data?.items.length === 0 && <p class="muted">No data source yet: add one for each system you reconcile (the bank, the ledger).</p>}
        {sources.data?.items.map((s) => (
          <SourceCard key={s.id} source={s} files={files.data?.items.filter((f) => f.data_source_id === s.id) ?? []} onUploaded={files.reload} />
        ))}
      </div>
      <NewSourceForm projectId={props.projectId} onCreated={sources.reload} />
    </div>
  );
}

function NewSourceForm(props: { projectId: string; onCreated: () => void }) {
  const [name, setName] = useState("");
  const [kind, setKind] = useState("bank");
  const [currency, setCurrency] = useState("");
  const [dateFormat, setDateFormat] = useState("auto");
  const [withoutAmounts, setWithoutAmounts] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const column_mapping: Record<string, string | boolean> = {};
    if (currency.trim()) column_mapping.default_currency = currency.trim().toUpperCase();
    if (dateFormat !== "auto") column_mapping.date_format = dateFormat;
    if (withoutAmounts) column_mapping.amount_optional = true;
    try {
      await api(`/projects/${props.projectId}/data-sources`, { method: "POST", body: { name, kind, column_mapping } });
      setName("");
      props.onCreated();
    } catch (err) {
      setError(asApiError(err));
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-source" noValidate>
      <h2 id="new-source">New data source</h2>
      <Problem error={error} fields={["name", "kind", "column_mapping.default_currency", "column_mapping.date_format"]} />
      <Field label="Name" name="name" error={error}>
        {(a) => <input {...a} name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
      <Field label="Kind" name="kind" error={error}>
        {(a) => (
          <select {...a} name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Default currency" name="column_mapping.default_currency" error={error} hint="For files without a currency column, e.g. EUR.">
        {(a) => <input {...a} name="currency" maxLength={3} value={currency} onInput={(e) => setCurrency(e.currentTarget.value)} />}
      </Field>
      <Field label="Date format" name="column_mapping.date_format" error={error}>
        {(a) => (
          <select {...a} name="date_format" value={dateFormat} onChange={(e) => setDateFormat(e.currentTarget.value)}>
            {DATE_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f === "auto" ? "detect per file" : f}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div class="check">
        <input id="without-amounts" type="checkbox" checked={withoutAmounts} onChange={(e) => setWithoutAmounts(e.currentTarget.checked)} />
        <label for="without-amounts">Files may have no amount column (customers, suppliers, people)</label>
      </div>
      <button type="submit">Add data source</button>
    </form>
  );
}

interface Uploading {
  name: string;
  fraction: number;
  error?: ApiError;
  duplicateOf?: string;
}

function SourceCard(props: { source: DataSource; files: StoredFile[]; onUploaded: () => void }) {
  const { source } = props;
  const [uploads, setUploads] = useState<Uploading[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const send = (list: FileList | null) => {
    if (!list) return;
    for (const file of Array.from(list)) {
      const entry: Uploading = { name: file.name, fraction: 0 };
      setUploads((u) => [...u, entry]);
      const update = (change: Partial<Uploading>) => {
        Object.assign(entry, change);
        setUploads((u) => [...u]);
      };
      uploadFile(source.id, file, (fraction) => update({ fraction })).done.then(
        () => {
          setUploads((u) => u.filter((x) => x !== entry));
          showToast(`${file.name} uploaded: parsing.`);
          props.onUploaded();
        },
        (err: unknown) => {
          const e = asApiError(err);
          // A duplicate names the file that already holds these bytes.
          const duplicateOf = typeof e.body.file_id === "string" ? e.body.file_id : undefined;
          update({ error: e, duplicateOf });
        },
      );
    }
  };

  const mapping = source.column_mapping;
  return (
    <article class="card source" aria-labelledby={`src-${source.id}`} data-testid={`source-${source.name}`}>
      <header class="row">
        <h2 id={`src-${source.id}`}>{source.name}</h2>
        <span class="badge">{source.kind}</span>
        <span class="muted small">
          {mapping.default_currency ? `currency ${mapping.default_currency}` : ""}
          {mapping.date_format ? ` · dates ${mapping.date_format}` : ""}
          {mapping.columns ? " · columns mapped" : ""}
          {mapping.amount_optional ? " · amounts optional" : ""}
        </span>
      </header>
      <div
        class={`dropzone${over ? " over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          send(e.dataTransfer?.files ?? null);
        }}
      >
        <p>
          Drop CSV, JSON or bank statement files here, or{" "}
          <button type="button" class="link" onClick={() => input.current?.click()}>
            choose files
          </button>
          .
        </p>
        <input
          ref={input}
          type="file"
          multiple
          class="visually-hidden"
          aria-label={`Upload files to ${source.name}`}
          data-testid={`upload-${source.name}`}
          onChange={(e) => {
            send(e.currentTarget.files);
            e.currentTarget.value = "";
          }}
        />
      </div>
      {uploads.map((u, i) => (
        <div key={i} class="upload">
          <span>{u.name}</span>
          {!u.error && <progress max={1} value={u.fraction} aria-label={`Uploading ${u.name}`} />}
          {u.error && (
            <div class="problem" role="alert">
              {u.name}: {u.error.detail}
              {u.duplicateOf && (
                <>
                  {" "}
                  <Link href={`/files/${u.duplicateOf}`}>See the file already uploaded</Link>
                </>
              )}
              <button type="button" class="link" onClick={() => setUploads((list) => list.filter((x) => x !== u))}>
                Dismiss
              </button>
            </div>
          )}
        </div>
      ))}
      {props.files.length > 0 && (
        <table class="list">
          <caption class="visually-hidden">Files of {source.name}</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Rows read
              </th>
              <th scope="col" class="num">
                Bad rows
              </th>
              <th scope="col" class="num">
                Size
              </th>
            </tr>
          </thead>
          <tbody>
            {props.files.map((f) => (
              <tr key={f.id} data-testid={`file-${f.filename}`}>
                <td>
                  <Link href={`/files/${f.id}`}>{f.filename || "(no name)"}</Link>
                </td>
                <td>
                  <FileStatus file={f} />
                  {f.status === "failed" && f.error && <div class="small field-error clamp">{f.error}</div>}
                </td>
                <td class="num">{f.rows_ok}</td>
                <td class={`num${f.rows_failed ? " warn" : ""}`}>{f.rows_failed}</td>
                <td class="num">{formatBytes(f.size_bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

export function FileStatus(props: { file: StoredFile }) {
  const f = props.file;
  if (f.status === "parsing")
    return (
      <span class="status parsing">
        parsing <progress max={1} value={f.progress} aria-label="Parse progress" />
      </span>
    );
  return (
    <span class={`status ${f.status}`} title={f.error ?? undefined}>
      {f.status}
    </span>
  );
}

// --- jobs ----------------------------------------------------------------------------------------

function JobsTab(props: { projectId: string }) {
  const jobs = useLoad(
    (signal) => api<Page<Job>>(`/projects/${props.projectId}/jobs${query({ per_page: 50 })}`, { signal }),
    [props.projectId],
  );
  const active = jobs.data?.items.some((j) => j.status === "queued" || j.status === "running");
  useEffect(() => {
    if (!active) return;
    const t = setInterval(jobs.reload, 1500);
    return () => clearInterval(t);
  }, [active, jobs.reload]);
  return (
    <div>
      <p>
        <Link href={`/projects/${props.projectId}/jobs/new`} class="button">
          New job
        </Link>
      </p>
      <Problem error={jobs.error} />
      {jobs.loading && !jobs.data && <Spinner />}
      {jobs.data?.items.length === 0 && <p class="muted">No job yet.</p>}
      {jobs.data && jobs.data.items.length > 0 && (
        <table class="list" data-testid="jobs">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Matched
              </th>
              <th scope="col" class="num">
                Suggested
              </th>
              <th scope="col" class="num">
                Unmatched
              </th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {jobs.data.items.map((j) => (
              <tr key={j.id}>
                <td>
                  <Link href={`/jobs/${j.id}`}>{j.name}</Link>
                </td>
                <td>
                  <span class={`status ${j.status}`}>{j.status === "running" ? `running ${j.percent} %` : j.status}</span>
                </td>
                <td class="num">{j.counters.matched ?? ""}</td>
                <td class="num">{j.counters.suggested ?? ""}</td>
                <td class="num">
                  {j.counters.unmatched_left !== undefined ? (j.counters.unmatched_left ?? 0) + (j.counters.unmatched_right ?? 0) : ""}
                </td>
                <td>{formatDateTime(j.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

// --- audit ---------------------------------------------------------------------------------------

function AuditTab(props: { projectId: string }) {
  const [page, setPage] = useState(1);
  const audit = useLoad(
    (signal) => api<Page<AuditEntry>>(`/projects/${props.projectId}/audit${query({ page, per_page: 50 })}`, { signal }),
    [props.projectId, page],
  );
  return (
    <div>
      <Problem error={audit.error} />
      {audit.loading && !audit.data && <Spinner />}
      {audit.data && (
        <table class="list" data-testid="audit">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Object</th>
              <th scope="col">Request</th>
            </tr>
          </thead>
          <tbody>
            {audit.data.items.map((a) => (
              <tr key={a.id}>
                <td>{formatDateTime(a.created_at)}</td>
                <td>
                  <code>{a.action}</code>
                </td>
                <td>
                  {a.resource_type} <span class="muted small">{a.resource_id}</span>
                </td>
                <td class="muted small">{a.request_id}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {audit.data && (
        <Pager label="Audit pages" page={page} perPage={audit.data.per_page} total={audit.data.total} onPage={setPage} words={["Newer", "Older"]} />
      )}
    </div>
  );
}
