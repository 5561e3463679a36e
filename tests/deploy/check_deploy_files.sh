#!/usr/bin/env bash
# Checks the files that run Œuvre in production, without starting any of them (no Docker engine, no
# systemd as PID 1):
#   - deploy/docker-compose.yml is valid for Debian's docker-compose (1.29), alone and with
#     deploy/.env.example as its .env; every secret it declares has a format file
#     (deploy/secrets/NAME.example) and every X_FILE of the oeuvre service names a secret it mounts;
#   - deploy/create-secrets.sh makes exactly those secrets, each 0600 and owned as documented, with
#     the values that must agree agreeing (as root only: it chowns);
#   - deploy/prometheus.yml passes promtool with monitoring/alerts.yaml;
#   - deploy/haproxy.cfg passes haproxy -c;
#   - deploy/oeuvre.service passes systemd-analyze verify without a word about it, with
#     /usr/local/bin/oeuvre replaced by OEUVRE_BINARY (verify checks that the commands exist);
#   - the Dockerfile has a non-root USER, a HEALTHCHECK, a VOLUME, the ENTRYPOINT, EXPOSE 8080, and
#     its runtime stage installs the package of every shared library OEUVRE_BINARY links;
#   - every line of deploy/.env.example that sets a variable has exactly one comment line above it,
#     and `oeuvre config show` accepts every example value.
# Whether .env.example lists exactly the variables the code reads is tests/deploy/variables_listed.py.
#
#   bash tests/deploy/check_deploy_files.sh SOURCE_DIR OEUVRE_BINARY
#
# Prints one line per check; exits 1 when any failed, naming each failure.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 SOURCE_DIR OEUVRE_BINARY" >&2
  exit 2
fi
src=$(cd "$1" && pwd)
oeuvre=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
deploy=$src/deploy
[ -x "$oeuvre" ] || { echo "not an executable: $oeuvre" >&2; exit 2; }

for tool in docker-compose promtool haproxy systemd-analyze python3 readelf dpkg; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool is not installed: run scripts/setup.sh" >&2
    exit 1
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/oeuvre-deploy-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

failures=0
ok() { echo "ok    $*"; }
failed() {
  echo "FAIL  $1" >&2
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/      /' >&2; fi
  failures=$((failures + 1))
}

# --- docker-compose ---------------------------------------------------------------------------------
# -q prints nothing when all is well: anything it prints (a warning too) is a failure.
compose() { docker-compose "$@" 2>&1; }
if out=$(compose -f "$deploy/docker-compose.yml" config -q) && [ -z "$out" ]; then
  ok "docker-compose config: deploy/docker-compose.yml"
else
  failed "docker-compose config: deploy/docker-compose.yml" "$out"
fi
if out=$(compose --env-file "$deploy/.env.example" -f "$deploy/docker-compose.yml" config -q) &&
  [ -z "$out" ]; then
  ok "docker-compose config: with deploy/.env.example as .env"
else
  failed "docker-compose config: with deploy/.env.example as .env" "$out"
fi

# The secrets the resolved compose file declares, and what its oeuvre service does with them.
if docker-compose -f "$deploy/docker-compose.yml" config >"$work/compose.yml" 2>/dev/null &&
  out=$(python3 - "$work/compose.yml" "$deploy" 2>&1 >"$work/compose-secrets" <<'EOF'
import os, sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
deploy = sys.argv[2]
declared = set(config["secrets"])
problems = []
for name in sorted(declared):
    if not os.path.isfile(os.path.join(deploy, "secrets", name + ".example")):
        problems.append(f"secret {name} has no deploy/secrets/{name}.example")
oeuvre = config["services"]["oeuvre"]
mounted = {s["source"] if isinstance(s, dict) else s for s in oeuvre.get("secrets", [])}
for key, value in sorted((oeuvre.get("environment") or {}).items()):
    if key.endswith("_FILE"):
        name = os.path.basename(str(value))
        if not str(value).startswith("/run/secrets/") or name not in mounted:
            problems.append(f"oeuvre's {key}={value} is not a secret the service mounts")
for service, body in sorted(config["services"].items()):
    for s in body.get("secrets", []):
        source = s["source"] if isinstance(s, dict) else s
        if source not in declared:
            problems.append(f"service {service} mounts an undeclared secret {source}")
print("\n".join(sorted(declared)))
if problems:
    sys.stderr.write("\n".join(problems) + "\n")
    sys.exit(1)
EOF
  ); then
  ok "compose secrets: each has a format file; oeuvre's X_FILE settings name mounted secrets"
else
  failed "compose secrets" "$out"
fi

# --- deploy/create-secrets.sh -----------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  echo "skip  deploy/create-secrets.sh: it chowns, so it is run as root only"
elif ! out=$(bash "$deploy/create-secrets.sh" "$work/secrets" 2>&1); then
  failed "deploy/create-secrets.sh" "$out"
else
  again=$(bash "$deploy/create-secrets.sh" "$work/secrets" 2>&1 || true)
  if out=$(python3 - "$work/secrets" "$work/compose-secrets" "$again" 2>&1 <<'EOF'
import os, re, sys
folder, declared_file, second_run = sys.argv[1], sys.argv[2], sys.argv[3]
declared = set(open(declared_file).read().split())
made = set(os.listdir(folder))
owners = {"postgres_password": 999, "redis_conf": 999, "prometheus_metrics_token": 65534,
          "slack_webhook_url": 65534}
problems = []
if made != declared:
    problems.append(f"made {sorted(made)}, compose declares {sorted(declared)}")
for name in sorted(made):
    st = os.stat(os.path.join(folder, name))
    if st.st_mode & 0o777 != 0o600:
        problems.append(f"{name}: mode {oct(st.st_mode & 0o777)}, not 0600")
    if st.st_uid != owners.get(name, 10001):
        problems.append(f"{name}: owner {st.st_uid}, not {owners.get(name, 10001)}")
value = lambda name: open(os.path.join(folder, name)).read().rstrip("\n")
password = value("postgres_password")
if value("database_url") != f"postgres://oeuvre:{password}@postgres:5432/oeuvre":
    problems.append("database_url does not hold postgres_password")
redis_password = value("redis_conf").removeprefix("requirepass ")
if value("redis_url") != f"redis://:{redis_password}@redis:6379/0":
    problems.append("redis_url does not hold redis_conf's password")
if value("metrics_token") != value("prometheus_metrics_token"):
    problems.append("metrics_token and prometheus_metrics_token differ")
for name in ("jwt_secret", "backup_encryption_key"):
    if not re.fullmatch(r"[0-9a-f]{64}", value(name)):
        problems.append(f"{name} is not 64 hex digits")
if "created" in second_run:
    problems.append("a second run changed something:\n" + second_run)
if problems:
    sys.stderr.write("\n".join(problems) + "\n")
    sys.exit(1)
EOF
  ); then
    ok "deploy/create-secrets.sh: every compose secret, 0600, owners, pairs agree, idempotent"
  else
    failed "deploy/create-secrets.sh" "$out"
  fi
fi

# --- Prometheus, HAProxy --------------------------------------------------------------------------
mkdir -p "$work/prometheus"
cp "$src/monitoring/alerts.yaml" "$work/prometheus/alerts.yaml"
echo "token" >"$work/prometheus/token"
sed "s|/run/secrets/prometheus_metrics_token|$work/prometheus/token|" "$deploy/prometheus.yml" \
  >"$work/prometheus/prometheus.yml"
if out=$(promtool check config "$work/prometheus/prometheus.yml" 2>&1); then
  ok "promtool check config: deploy/prometheus.yml"
else
  failed "promtool check config: deploy/prometheus.yml" "$out"
fi
if out=$(haproxy -c -f "$deploy/haproxy.cfg" 2>&1); then
  ok "haproxy -c: deploy/haproxy.cfg"
else
  failed "haproxy -c: deploy/haproxy.cfg" "$out"
fi

# --- systemd ----------------------------------------------------------------------------------------
# verify prints its warnings (an unknown key, a value it cannot parse, ignored) and still exits 0:
# any line about our unit is a failure. None about other units appears on Debian 12; if one does, it
# is shown and not held against us.
mkdir -p "$work/systemd"
unit=$work/systemd/oeuvre.service
sed "s|/usr/local/bin/oeuvre|$oeuvre|g" "$deploy/oeuvre.service" >"$unit"
rc=0
out=$(systemd-analyze verify "$unit" 2>&1) || rc=$?
ours=$(printf '%s\n' "$out" | grep -e "oeuvre.service" -e "$unit" || true)
others=$(printf '%s\n' "$out" | grep -v -e "oeuvre.service" -e "$unit" | grep -v '^$' || true)
if [ -n "$others" ]; then
  printf '%s\n' "$others" | sed 's/^/note  systemd-analyze, not about oeuvre.service: /'
fi
if [ "$rc" -eq 0 ] && [ -z "$ours" ]; then
  ok "systemd-analyze verify: deploy/oeuvre.service"
else
  failed "systemd-analyze verify: deploy/oeuvre.service (exit $rc)" "$ours"
fi

# --- Dockerfile -----------------------------------------------------------------------------------
dockerfile=$src/Dockerfile
problems=""
grep -Eq '^USER +[^ ]' "$dockerfile" || problems+="no USER"$'\n'
if grep -Eq '^USER +(root|0)(:|$| )' "$dockerfile"; then problems+="USER is root"$'\n'; fi
grep -Eq '^HEALTHCHECK ' "$dockerfile" || problems+="no HEALTHCHECK"$'\n'
grep -Eq '^VOLUME ' "$dockerfile" || problems+="no VOLUME"$'\n'
grep -Eq '^ENTRYPOINT \["/usr/local/bin/oeuvre"\]' "$dockerfile" ||
  problems+="no ENTRYPOINT [\"/usr/local/bin/oeuvre\"]"$'\n'
grep -Eq '^EXPOSE .*\b8080\b' "$dockerfile" || problems+="8080 not exposed"$'\n'
# The runtime stage: everything after the last FROM.
runtime=$(awk '/^FROM /{stage=""} {stage=stage $0 "\n"} END{printf "%s", stage}' "$dockerfile")
# In every debian:12-slim (libc6 is essential; apt needs the C++ runtime).
base_packages=" libc6 libstdc++6 libgcc-s1 "
# Each library the binary names (NEEDED) as a pattern for dpkg: the folder the dynamic linker loads
# it from here ends in the multiarch triplet, which tells the package apart from its lib32 and
# other-architecture namesakes. One dpkg -S for all: each call reads every package's file list.
ldd "$oeuvre" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' >"$work/ldd"
patterns=()
while read -r soname; do
  case "$soname" in libasan.so* | libubsan.so* | libtsan.so*) continue ;; esac  # sanitizer builds
  path=$(awk -v s="$soname" '$1 == s {print $2; exit}' "$work/ldd")
  patterns+=("*/$(basename "$(dirname "${path:-/unresolved/x}")")/$soname")
done < <(readelf -d "$oeuvre" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
dpkg -S "${patterns[@]}" >"$work/dpkg" 2>/dev/null || true
for pattern in "${patterns[@]}"; do
  soname=${pattern##*/}
  package=$(awk -v tail="${pattern#\*}" 'substr($2, length($2) - length(tail) + 1) == tail {
              sub(/:.*/, "", $1); print $1; exit }' "$work/dpkg")
  if [ -z "$package" ]; then
    problems+="$soname: no installed package holds it"$'\n'
  elif [[ "$base_packages" != *" $package "* ]] && ! grep -qwF "$package" <<<"$runtime"; then
    problems+="the runtime stage does not install $package ($soname)"$'\n'
  fi
done
if [ -z "$problems" ]; then
  ok "Dockerfile: USER, HEALTHCHECK, VOLUME, ENTRYPOINT, EXPOSE 8080, a package for each linked library"
else
  failed "Dockerfile" "${problems%$'\n'}"
fi

# --- deploy/.env.example ----------------------------------------------------------------------------
if out=$(python3 - "$deploy/.env.example" "$oeuvre" "$work/var" 2>&1 <<'EOF'
import os, re, subprocess, sys
path, oeuvre, var_dir = sys.argv[1:]
lines = open(path).read().split("\n")
variable = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")
problems, values = [], {}
for i, line in enumerate(lines):
    m = variable.match(line)
    if not m:
        continue
    above = lines[i - 1] if i >= 1 else ""
    two_above = lines[i - 2] if i >= 2 else ""
    if not above.startswith("# ") or variable.match(above):
        problems.append(f"line {i + 1} ({m.group(1)}): no comment line above it")
    elif two_above.startswith("#") and not variable.match(two_above):
        problems.append(f"line {i + 1} ({m.group(1)}): more than one comment line above it")
    if m.group(1) in values:
        problems.append(f"line {i + 1}: {m.group(1)} is listed twice")
    values[m.group(1)] = m.group(2)
# Every example value at once, as oeuvre parses it. Not the Secrets Manager lookups: with them set,
# reading DATABASE_URL would call AWS.
env = {k: v for k, v in os.environ.items() if k in ("PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
for name, value in values.items():
    if not name.endswith("_NAME") and not name.startswith("AWS_SECRETS_MANAGER_"):
        env[name] = value
env["VAR_DIR"] = var_dir
shown = subprocess.run([oeuvre, "config", "show"], env=env, capture_output=True, text=True, timeout=60)
if shown.returncode != 0:
    problems.append(f"oeuvre config show refused the example values (exit {shown.returncode}):\n"
                    + shown.stderr.strip())
if problems:
    sys.stderr.write("\n".join(problems) + "\n")
    sys.exit(1)
print(len(values))
EOF
); then
  ok "deploy/.env.example: $out variable lines, one comment line each, values accepted by config show"
else
  failed "deploy/.env.example" "$out"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all deploy file checks passed"
