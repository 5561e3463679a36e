// A new reconciliation job: two data sources, thresholds, and (for those who need them) the rules.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, query, type DataSource, type Job, type Page, type Project } from "../api";
import { asApiError, Field, Link, navigate, Problem, Spinner, useDocumentTitle, useLoad } from "../ui";

export function NewJobPage(props: { projectId: string }) {
  useDocumentTitle("New job");
  const project = useLoad((signal) => api<Project>(`/projects/${props.projectId}`, { signal }), [props.projectId]);
  const sources = useLoad(
    (signal) => api<Page<DataSource>>(`/projects/${props.projectId}/data-sources${query({ per_page: 100 })}`, { signal }),
    [props.projectId],
  );
  const [name, setName] = useState(() => `Reconciliation ${new Date().toISOString().slice(0, 10)}`);
  const [left, setLeft] = useState("");
  const [right, setRight] = useState("");
  const [confidence, setConfidence] = useState("0.8");
  const [review, setReview] = useState("0.55");
  const [autoConfirm, setAutoConfirm] = useState(false);
  const [rules, setRules] = useState("");
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  // Sensible defaults: the bank on the left, the ledger on the right.
  useEffect(() => {
    const items = sources.data?.items ?? [];
    if (!items.length || left || right) return;
    const bank = items.find((s) => s.kind === "bank") ?? items[0];
    const other = items.find((s) => s.id !== bank.id && s.kind === "ledger") ?? items.find((s) => s.id !== bank.id);
    setLeft(bank.id);
    if (other) setRight(other.id);
  }, [sources.data]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    let parsedRules: unknown = undefined;
    if (rules.trim()) {
      try {
        parsedRules = JSON.parse(rules);
      } catch (err) {
        setError(new ApiError(422, "Validation failed", "", [{ field: "rules", message: `is not JSON: ${(err as Error).message}` }]));
        return;
      }
    }
    setBusy(true);
    try {
      const job = await api<Job>(`/projects/${props.projectId}/jobs`, {
        method: "POST",
        body: {
          name,
          left_data_source_id: left,
          right_data_source_id: right,
          confidence_threshold: Number(confidence),
          review_threshold: Number(review),
          auto_confirm: autoConfirm,
          ...(parsedRules !== undefined ? { rules: parsedRules } : {}),
        },
      });
      navigate(`/jobs/${job.id}`);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  if (sources.error) return <Problem error={sources.error} />;
  if (!sources.data) return <Spinner />;
  const options = sources.data.items.map((s) => (
    <option key={s.id} value={s.id}>
      {s.name} ({s.kind})
    </option>
  ));
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> / <Link href={`/projects/${props.projectId}/jobs`}>{project.data?.name ?? "…"}</Link> / <span>New job</span>
      </nav>
      <h1>New reconciliation job</h1>
      <form class="card narrow" onSubmit={submit} noValidate>
        <Problem
          error={error}
          fields={["name", "left_data_source_id", "right_data_source_id", "confidence_threshold", "review_threshold", "rules"]}
        />
        <Field label="Name" name="name" error={error}>
          {(a) => <input {...a} name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <div class="grid">
          <Field label="Left side" name="left_data_source_id" error={error}>
            {(a) => (
              <select {...a} name="left" value={left} onChange={(e) => setLeft(e.currentTarget.value)}>
                <option value="">Choose a data source</option>
                {options}
              </select>
            )}
          </Field>
          <Field label="Right side" name="right_data_source_id" error={error}>
            {(a) => (
              <select {...a} name="right" value={right} onChange={(e) => setRight(e.currentTarget.value)}>
                <option value="">Choose a data source</option>
                {options}
              </select>
            )}
          </Field>
        </div>
        <div class="grid">
          <Field label="Match at confidence" name="confidence_threshold" error={error} hint="Groups scoring at least this are matched.">
            {(a) => (
              <input {...a} name="confidence" type="number" min={0} max={1} step={0.01} value={confidence} onInput={(e) => setConfidence(e.currentTarget.value)} />
            )}
          </Field>
          <Field label="Suggest at confidence" name="review_threshold" error={error} hint="Groups between the two go to review.">
            {(a) => (
              <input {...a} name="review" type="number" min={0} max={1} step={0.01} value={review} onInput={(e) => setReview(e.currentTarget.value)} />
            )}
          </Field>
        </div>
        <div class="check">
          <input id="auto-confirm" type="checkbox" checked={autoConfirm} onChange={(e) => setAutoConfirm(e.currentTarget.checked)} />
          <label for="auto-confirm">Confirm matched groups when the job completes</label>
        </div>
        <details>
          <summary>Rules (advanced)</summary>
          <Field label="Rules as JSON" name="rules" error={error} hint="Empty: the built-in bank/ledger rules (docs/engine.md).">
            {(a) => <textarea {...a} name="rules" rows={8} class="mono" value={rules} onInput={(e) => setRules(e.currentTarget.value)} />}
          </Field>
        </details>
        <button type="submit" disabled={busy}>
          Run job
        </button>
      </form>
    </section>
  );
}
