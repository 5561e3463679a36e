// The app's shell: restores the session, signs in, and routes between the screens.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, onSessionChange, refreshSession, signOut, type User } from "./api";
import { FilePage } from "./pages/FilePage";
import { JobPage } from "./pages/JobPage";
import { NewJobPage } from "./pages/NewJobPage";
import { ProjectPage } from "./pages/ProjectPage";
import { ProjectsPage } from "./pages/ProjectsPage";
import { SignInPage } from "./pages/SignInPage";
import { Link, navigate, Spinner, Toasts, useLocation } from "./ui";
import "./styles.css";

type Route =
  | { page: "projects" }
  | { page: "project"; id: string; tab: "data" | "jobs" | "audit" }
  | { page: "new-job"; projectId: string }
  | { page: "file"; id: string }
  | { page: "job"; id: string }
  | { page: "not-found" };

const UUID = "[0-9a-fA-F-]{36}";

function route(path: string): Route {
  let m: RegExpExecArray | null;
  if (path === "/" || path === "/projects") return { page: "projects" };
  if ((m = new RegExp(`^/projects/(${UUID})(?:/(data|jobs|audit))?$`).exec(path)))
    return { page: "project", id: m[1], tab: (m[2] as "data" | "jobs" | "audit") ?? "data" };
  if ((m = new RegExp(`^/projects/(${UUID})/jobs/new$`).exec(path))) return { page: "new-job", projectId: m[1] };
  if ((m = new RegExp(`^/files/(${UUID})$`).exec(path))) return { page: "file", id: m[1] };
  if ((m = new RegExp(`^/jobs/(${UUID})$`).exec(path))) return { page: "job", id: m[1] };
  return { page: "not-found" };
}

function App() {
  const path = useLocation();
  const [user, setUser] = useState<User | null | undefined>(undefined);
  // A new screen: focus moves to its content, so a screen reader starts there and Tab goes on from it.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById("main")?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [path]);

  useEffect(() => {
    const loadMe = async () => {
      try {
        setUser(await api<User>("/auth/me"));
      } catch {
        setUser(null);
      }
    };
    const off = onSessionChange((signedIn) => (signedIn ? void loadMe() : setUser(null)));
    refreshSession().then((ok) => (ok ? loadMe() : setUser(null)));
    return off;
  }, []);

  if (user === undefined) return <Spinner label="Opening your session…" />;
  if (user === null)
    return (
      <>
        <SignInPage />
        <Toasts />
      </>
    );

  const r = route(path);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/" class="brand">
          Œuvre
        </Link>
        <nav aria-label="Main">
          <Link href="/" aria-current={r.page === "projects" ? "page" : undefined}>
            Projects
          </Link>
        </nav>
        <div class="who">
          <span class="muted" data-testid="signed-in-as">
            {user.display_name || user.email}
          </span>
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              await signOut();
              navigate("/", true);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {r.page === "projects" && <ProjectsPage />}
        {r.page === "project" && <ProjectPage key={r.id} id={r.id} tab={r.tab} />}
        {r.page === "new-job" && <NewJobPage projectId={r.projectId} />}
        {r.page === "file" && <FilePage key={r.id} id={r.id} />}
        {r.page === "job" && <JobPage key={r.id} id={r.id} />}
        {r.page === "not-found" && (
          <section>
            <h1>Not found</h1>
            <p>
              There is no page at <code>{path}</code>. <Link href="/">Back to the projects</Link>.
            </p>
          </section>
        )}
      </main>
      <Toasts />
    </>
  );
}

render(<App />, document.getElementById("app")!);
