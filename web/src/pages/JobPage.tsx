// A job: live progress while it runs; then its summary, the review queue (made for the keyboard),
// a result's detail with the reasons for its confidence, manual matching, and export.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, download, followJob, type Job, type JobSummary, type Project } from "../api";
import { asApiError, formatDateTime, Link, navigate, Problem, showToast, Spinner, useDocumentTitle, useLoad } from "../ui";
import { ReviewQueue } from "./ReviewQueue";
import { SummaryPanel } from "./SummaryPanel";

export function JobPage(props: { id: string }) {
  const job = useLoad((signal) => api<Job>(`/jobs/${props.id}`, { signal }), [props.id]);
  const project = useLoad(
    (signal) => (job.data ? api<Project>(`/projects/${job.data.project_id}`, { signal }) : Promise.resolve(undefined)),
    [job.data?.project_id],
  );
  useDocumentTitle(job.data?.name ?? "Job");
  const running = job.data?.status === "queued" || job.data?.status === "running";

  // Live progress: the job's Server-Sent Events until it ends.
  useEffect(() => {
    if (!running) return;
    const controller = new AbortController();
    followJob(props.id, (j, ended) => (ended ? job.reload() : job.set(j)), controller.signal).catch((e) => {
      if (!controller.signal.aborted) showToast(`Progress stream stopped: ${asApiError(e).detail}`, { kind: "error" });
    });
    return () => controller.abort();
  }, [props.id, running]);

  if (job.error) return <Problem error={job.error} />;
  if (!job.data) return <Spinner />;
  const j = job.data;
  return (
    <section class="job">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> / <Link href={`/projects/${j.project_id}/jobs`}>{project.data?.name ?? "…"}</Link> / <span>{j.name}</span>
      </nav>
      <div class="row spread">
        <h1>{j.name}</h1>
        <JobActions job={j} onChange={job.set} />
      </div>
      <JobProgress job={j} />
      {j.status === "completed" && <CompletedJob job={j} />}
    </section>
  );
}

function JobProgress(props: { job: Job }) {
  const j = props.job;
  return (
    <div class="progress-line" data-testid="job-status">
      <span class={`status ${j.status}`}>{j.status}</span>
      {(j.status === "queued" || j.status === "running") && (
        <>
          <progress max={100} value={j.percent} aria-label="Job progress" />
          <span>
            {j.phase} {j.percent} %{j.eta_seconds !== null ? `, about ${Math.ceil(j.eta_seconds)} s left` : ""}
          </span>
        </>
      )}
      {j.status === "failed" && <span class="problem inline">{j.error}</span>}
      {j.finished_at && <span class="muted small">finished {formatDateTime(j.finished_at)}</span>}
    </div>
  );
}

function JobActions(props: { job: Job; onChange: (j: Job) => void }) {
  const j = props.job;
  const act = async (run: () => Promise<void>) => {
    try {
      await run();
    } catch (e) {
      showToast(asApiError(e).detail, { kind: "error" });
    }
  };
  return (
    <div class="actions">
      {(j.status === "queued" || j.status === "running") && (
        <button type="button" class="secondary" onClick={() => act(async () => props.onChange(await api<Job>(`/jobs/${j.id}/cancel`, { method: "POST" })))}>
          Cancel job
        </button>
      )}
      {j.status === "completed" && (
        <>
          <button type="button" class="secondary" onClick={() => act(() => download(`/jobs/${j.id}/export?format=csv`, `job-${j.id}.csv`))}>
            Export CSV
          </button>
          <button type="button" class="secondary" onClick={() => act(() => download(`/jobs/${j.id}/export?format=json`, `job-${j.id}.json`))}>
            Export JSON
          </button>
        </>
      )}
      {j.status !== "queued" && j.status !== "running" && (
        <button
          type="button"
          class="secondary"
          onClick={() =>
            act(async () => {
              const again = await api<Job>(`/jobs/${j.id}/rerun`, { method: "POST" });
              showToast(`Job queued again with the records still open.`);
              navigate(`/jobs/${again.id}`);
            })
          }
        >
          Run again
        </button>
      )}
    </div>
  );
}

function CompletedJob(props: { job: Job }) {
  const [summaryTick, setSummaryTick] = useState(0);
  const summary = useLoad((signal) => api<JobSummary>(`/jobs/${props.job.id}/summary`, { signal }), [props.job.id, summaryTick]);
  // Reviewing changes the totals: read them again once the reviewer pauses, not after every key.
  const timer = useRef<number>();
  const reviewed = () => {
    clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setSummaryTick((t) => t + 1), 1500);
  };
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <>
      <Problem error={summary.error} />
      {summary.data && <SummaryPanel summary={summary.data} />}
      <ReviewQueue job={props.job} summary={summary.data} onReviewed={reviewed} />
    </>
  );
}
