import { useState } from "preact/hooks";
import { api, ApiError, query, type Page, type Project } from "../api";
import { asApiError, Field, formatDateTime, Link, navigate, Pager, Problem, Spinner, useDocumentTitle, useLoad } from "../ui";

export function ProjectsPage() {
  useDocumentTitle("Projects");
  const [page, setPage] = useState(1);
  const projects = useLoad((signal) => api<Page<Project>>(`/projects${query({ page, per_page: 50 })}`, { signal }), [page]);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const p = await api<Project>("/projects", { method: "POST", body: { name, description } });
      navigate(`/projects/${p.id}`);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>Projects</h1>
      <div class="columns">
        <div>
          <Problem error={projects.error} />
          {projects.loading && !projects.data && <Spinner />}
          {projects.data && projects.data.items.length === 0 && <p class="muted">No project yet: create the first one.</p>}
          {projects.data && projects.data.items.length > 0 && (
            <table class="list" data-testid="projects">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Description</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {projects.data.items.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link href={`/projects/${p.id}`}>{p.name}</Link>
                    </td>
                    <td>{p.description}</td>
                    <td>{formatDateTime(p.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {projects.data && (
            <Pager label="Project pages" page={page} perPage={projects.data.per_page} total={projects.data.total} onPage={setPage} />
          )}
        </div>
        <form class="card" onSubmit={create} aria-labelledby="new-project" noValidate>
          <h2 id="new-project">New project</h2>
          <Problem error={error} fields={["name", "description"]} />
          <Field label="Name" name="name" error={error}>
            {(a) => <input {...a} name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <Field label="Description" name="description" error={error}>
            {(a) => <textarea {...a} name="description" rows={3} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />}
          </Field>
          <button type="submit" disabled={busy}>
            Create project
          </button>
        </form>
      </div>
    </section>
  );
}
