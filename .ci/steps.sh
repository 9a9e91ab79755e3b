# shellcheck shell=bash
# Named steps for .ci/run and .ci/stress: every step runs even when an earlier one failed, each is timed, and the
# summary at the end names the steps that failed. A failing step never hides behind the last tool's output (issue 13).
#
#   source .ci/steps.sh
#   step "lint" npm run --silent lint      # one line per step
#   finish                                 # prints the summary; exit status 1 when any step failed

STEP_NAMES=()
STEP_RESULTS=()

# step NAME COMMAND [ARGS...]: runs the command, records "ok" or "FAILED (exit N)" under NAME, never exits.
step() {
    local name=$1
    shift
    printf '\n==> %s\n' "$name"
    local started=$SECONDS
    "$@"
    local status=$?
    STEP_NAMES+=("$name")
    if [ "$status" -eq 0 ]; then
        STEP_RESULTS+=("ok ($((SECONDS - started)) s)")
    else
        STEP_RESULTS+=("FAILED (exit $status, $((SECONDS - started)) s)")
    fi
    return 0
}

# finish: one line per step, then the failed steps by name; returns 1 when any failed.
finish() {
    local failed=() i
    printf '\n==> summary\n'
    for i in "${!STEP_NAMES[@]}"; do
        printf '  %-60s %s\n' "${STEP_NAMES[$i]}" "${STEP_RESULTS[$i]}"
        case ${STEP_RESULTS[$i]} in
            FAILED*) failed+=("${STEP_NAMES[$i]}") ;;
        esac
    done
    if [ "${#failed[@]}" -gt 0 ]; then
        printf '\nFAILED: %d of %d steps failed:\n' "${#failed[@]}" "${#STEP_NAMES[@]}" >&2
        printf '  - %s\n' "${failed[@]}" >&2
        return 1
    fi
    printf '\npassed: all %d steps\n' "${#STEP_NAMES[@]}"
    return 0
}
