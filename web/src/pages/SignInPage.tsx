import { useState } from "preact/hooks";
import { ApiError, register, signIn } from "../api";
import { asApiError, Field, Problem, showToast, useDocumentTitle } from "../ui";

export function SignInPage() {
  const [mode, setMode] = useState<"sign-in" | "register">("sign-in");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  useDocumentTitle(mode === "sign-in" ? "Sign in" : "Create an account");

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (mode === "register") {
        await register(email, password, name);
        showToast("Account created: signing you in.");
      }
      await signIn(email, password);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">
          <span class="brand">Œuvre</span> {mode === "sign-in" ? "Sign in" : "Create an account"}
        </h1>
        <Problem error={error} fields={["email", "password", "display_name"]} />
        <Field label="Email" name="email" error={error}>
          {(a) => (
            <input
              {...a}
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          )}
        </Field>
        {mode === "register" && (
          <Field label="Your name" name="display_name" error={error}>
            {(a) => <input {...a} name="display_name" autoComplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
        )}
        <Field
          label="Password"
          name="password"
          error={error}
          hint={mode === "register" ? "At least 10 characters, not a common password." : undefined}
        >
          {(a) => (
            <input
              {...a}
              type="password"
              name="password"
              autoComplete={mode === "sign-in" ? "current-password" : "new-password"}
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={busy}>
          {mode === "sign-in" ? "Sign in" : "Create account"}
        </button>
        <p>
          {mode === "sign-in" ? "No account yet? " : "Have an account? "}
          <button
            type="button"
            class="link"
            onClick={() => {
              setMode(mode === "sign-in" ? "register" : "sign-in");
              setError(undefined);
            }}
          >
            {mode === "sign-in" ? "Create one" : "Sign in"}
          </button>
        </p>
      </form>
    </main>
  );
}
