#!/usr/bin/env bash
# The one script behind the GitHub Action (action.yml) and the GitLab CI template
# (ci/gitlab/atcr-verify.gitlab-ci.yml): lint trust policies, then verify images and/or the
# images of Kubernetes manifests. Settings come from the environment, so both CI systems and
# a developer's shell call it the same way:
#
#   ATCR_POLICY_PATHS  policy files or folders to lint (space-separated; empty: no lint)
#   ATCR_STRICT        "true": lint warnings fail too
#   ATCR_SARIF_FILE    where the lint SARIF goes (default atcr-verify.sarif)
#   ATCR_ANNOTATIONS   "github" (workflow annotations) or "text" (default: github on GitHub Actions)
#   ATCR_IMAGES        images to verify, one per line or space-separated
#   ATCR_MANIFESTS     Kubernetes YAML files/folders whose images to verify
#   ATCR_POLICY        the trust policy `verify` decides with (optional)
#   ATCR_VERIFY_ARGS   extra arguments for `verify` (e.g. --plc-url, --insecure-registry)
#   ATCR_RESULTS_FILE  where the verify JSON results go (default atcr-verify-results.json)
#   ATCR_VERIFY_BIN    the atcr-verify command (default: atcr-verify on PATH)
#
# Outputs (also to $GITHUB_OUTPUT when set): sarif-file, lint-exit, verify-exit, results-file.
# Exit: the worst of lint's and verify's exit codes (0 ok, 1 negative, 2 usage, 3 undecided).
set -uo pipefail

bin=${ATCR_VERIFY_BIN:-atcr-verify}
read -r -a av <<<"$bin"
sarif=${ATCR_SARIF_FILE:-atcr-verify.sarif}
results=${ATCR_RESULTS_FILE:-atcr-verify-results.json}
annotations=${ATCR_ANNOTATIONS:-}
[ -n "$annotations" ] || { [ "${GITHUB_ACTIONS:-}" = true ] && annotations=github || annotations=text; }
case "$annotations" in github|text) ;; *) echo "atcr-verify-ci: ATCR_ANNOTATIONS must be github or text, not '$annotations'" >&2; exit 2 ;; esac
strict=()
case "${ATCR_STRICT:-false}" in true) strict=(--strict) ;; false|'') ;; *) echo "atcr-verify-ci: ATCR_STRICT must be true or false" >&2; exit 2 ;; esac
read -r -a extra <<<"${ATCR_VERIFY_ARGS:-}"

output() { # name value
  echo "$1=$2"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; fi
}

worst=0
raise() { [ "$1" -gt "$worst" ] && worst=$1; return 0; }

lint_exit=skipped
if [ -n "${ATCR_POLICY_PATHS:-}" ]; then
  read -r -a paths <<<"$ATCR_POLICY_PATHS"
  # SARIF for code scanning, then the same findings as annotations/text for people.
  "${av[@]}" policy lint "${paths[@]}" "${strict[@]}" --format sarif >"$sarif"
  lint_exit=$?
  "${av[@]}" policy lint "${paths[@]}" "${strict[@]}" --format "$annotations" || true
  raise "$lint_exit"
  output sarif-file "$sarif"
fi
output lint-exit "$lint_exit"

verify_exit=skipped
images=$(printf '%s' "${ATCR_IMAGES:-}" | tr ' ' '\n' | sed '/^[[:space:]]*$/d')
policy=()
[ -n "${ATCR_POLICY:-}" ] && policy=(--policy "$ATCR_POLICY")
if [ -n "$images" ] || [ -n "${ATCR_MANIFESTS:-}" ]; then
  verify_exit=0
  parts=$(mktemp -d)
  n=0
  while IFS= read -r image; do
    [ -n "$image" ] || continue
    n=$((n + 1))
    "${av[@]}" verify "$image" "${policy[@]}" "${extra[@]}" --output json >"$parts/$n.json"
    code=$?
    [ "$code" -gt "$verify_exit" ] && verify_exit=$code
    echo "atcr-verify-ci: verify $image: exit $code" >&2
  done <<<"$images"
  if [ -n "${ATCR_MANIFESTS:-}" ]; then
    read -r -a manifests <<<"$ATCR_MANIFESTS"
    for m in "${manifests[@]}"; do
      n=$((n + 1))
      "${av[@]}" verify --manifests "$m" "${policy[@]}" "${extra[@]}" --output json >"$parts/$n.json"
      code=$?
      [ "$code" -gt "$verify_exit" ] && verify_exit=$code
      "${av[@]}" verify --manifests "$m" "${policy[@]}" "${extra[@]}" --output "$annotations" >&2 || true
    done
  fi
  # One JSON array of every result, in the order run (a command that printed nothing, e.g.
  # on a usage error, leaves no entry; its exit code is still counted).
  node -e 'const fs=require("fs");const d=process.argv[1];const out=[];for(let i=1;i<=Number(process.argv[2]);i++){const t=fs.readFileSync(d+"/"+i+".json","utf8");if(t.trim())out.push(JSON.parse(t))}process.stdout.write(JSON.stringify(out,null,2)+"\n")' "$parts" "$n" >"$results" \
    || { echo "atcr-verify-ci: could not collect the verify results" >&2; verify_exit=3; }
  rm -rf "$parts"
  raise "$verify_exit"
  output results-file "$results"
fi
output verify-exit "$verify_exit"
exit "$worst"
