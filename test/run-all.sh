#!/usr/bin/env bash
# The README's test command (`npm test`): static checks, build, then every test suite on real parts.
# Integration and browser tests run inside a private D-Bus session with an unlocked gnome-keyring,
# so the real OS keychain is exercised. Ends with a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

for tool in socat dbus-run-session gnome-keyring-daemon script; do
  command -v "$tool" >/dev/null || { echo "missing $tool: install the Debian packages listed in README.md"; exit 2; }
done
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || { echo "missing Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium}"; exit 2; }

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
failed_steps=()

step() {
  local name=$1
  shift
  echo "::: $name"
  if ! "$@"; then failed_steps+=("$name"); fi
}

step typecheck npm run --silent typecheck
step lint npm run --silent lint
step build npx electron-vite build --logLevel warn
# electronegativity over the built app and npm audit of runtime dependencies (test/security/).
step security-audit npx tsx test/security/audit.ts

# Vitest's JSON report gives the counts; Playwright's too. Both also print their usual summaries.
step "unit+renderer+wiring" npx vitest run --project unit --project renderer --project wiring --reporter=default --reporter=json --outputFile="$reports/unit.json"

# The real Electron window is started by test/electron only where its binary is installed (GitHub CI).
[ -f node_modules/electron/path.txt ] || echo "::: Electron tests: skipped here (no Electron binary can be downloaded on this machine); they run on GitHub CI"

cat > "$reports/in-session.sh" <<'INNER'
set -u
export XDG_DATA_HOME=$(mktemp -d)
echo -n fieldclaim-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export FIELDCLAIM_EXPECT_KEYCHAIN=1
status=0
npx vitest run --project integration --reporter=default --reporter=json --outputFile="$1/integration.json" || status=1
PLAYWRIGHT_JSON_OUTPUT_NAME="$1/e2e.json" npx playwright test --reporter=list,json || status=1
exit $status
INNER
step "integration+e2e" dbus-run-session -- bash "$reports/in-session.sh" "$reports"

node -e '
const fs = require("fs");
let passed = 0, failed = 0;
for (const name of ["unit.json", "integration.json"]) {
  const file = process.argv[1] + "/" + name;
  if (!fs.existsSync(file)) { failed++; console.log(`no report from ${name}`); continue; }
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests;
}
const e2e = process.argv[1] + "/e2e.json";
if (fs.existsSync(e2e)) {
  const s = JSON.parse(fs.readFileSync(e2e, "utf8")).stats;
  passed += s.expected; failed += s.unexpected + s.flaky;
} else { failed++; console.log("no report from e2e"); }
fs.writeFileSync(process.argv[1] + "/counts", `${passed} ${failed}`);
' "$reports"
read -r passed failed < "$reports/counts"
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
  [ "$failed" -eq 0 ] && failed=${#failed_steps[@]}
fi
echo "$passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ] && [ "$failed" -eq 0 ]
