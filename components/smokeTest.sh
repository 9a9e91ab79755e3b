#!/bin/sh
# Smoke test of ai-service's keyless path to Azure OpenAI. `pulumi up` runs this file as the command of a Kubernetes
# Job (components/smokeTest.ts embeds it verbatim); tests/smokeTest.test.ts runs the same file against a local
# stand-in of ai-service. POSIX sh only: BusyBox ash in the curl image, dash on Debian.
#
# One POST /generate/description per attempt; it passes only on HTTP 200 with a non-empty "description". /health
# never touches Azure, so this is the first request that proves the identity works end to end.
#
# Failures are retried with exponential backoff for SMOKE_RETRY_FOR_SECONDS, because right after `pulumi up` the
# pieces of the identity become effective at different times: a new federated credential within a minute or two
# (AADSTS70021 meanwhile), a role assignment within minutes, up to ~10 (401/403 PermissionDenied meanwhile).
# Failures that waiting cannot fix stop after SMOKE_GIVE_UP_AFTER consecutive attempts (a rolling update can still
# route a request or two to an old pod). The diagnosis of the last attempt goes to the log and to the termination
# log: `pulumi up` shows a failed Job's termination message, not its logs.
#
# Exit status: 0 passed, 1 failed, 2 misconfigured.
#
# SMOKE_CLOCK and SMOKE_SLEEP are the script's clock (prints whole seconds) and its pause (takes seconds); the Job
# leaves them unset (date +%s, sleep). Tests give both a counter that only sleeping advances, so a busy machine and an
# idle one see the same attempts, budgets and messages (issue 13).

URL=${SMOKE_URL:-}
RETRY_FOR=${SMOKE_RETRY_FOR_SECONDS:-720}
REQUEST_TIMEOUT=${SMOKE_REQUEST_TIMEOUT_SECONDS:-60}
BACKOFF=${SMOKE_BACKOFF_INITIAL_SECONDS:-5}
BACKOFF_MAX=${SMOKE_BACKOFF_MAX_SECONDS:-60}
GIVE_UP_AFTER=${SMOKE_GIVE_UP_AFTER:-3}
TERMINATION_LOG=${SMOKE_TERMINATION_LOG:-/dev/termination-log}
CLOCK=${SMOKE_CLOCK:-date +%s}
PAUSE=${SMOKE_SLEEP:-sleep}
NAMESPACE=${SMOKE_NAMESPACE:-default}
CLIENT_ID=${SMOKE_IDENTITY_CLIENT_ID:-<identityClientId>}
DEPLOYMENT=${SMOKE_OPENAI_DEPLOYMENT:-<deployment>}
ENDPOINT=${SMOKE_OPENAI_ENDPOINT:-https://<subdomain>.openai.azure.com/}
OPENAI_HOST=${ENDPOINT#*://}
OPENAI_HOST=${OPENAI_HOST%%/*}
BODY='{"name": "Smoke Test Tug Rope", "tags": ["toy", "dog"]}'

if [ -z "$URL" ]; then
    echo "smoke test misconfigured: SMOKE_URL is empty" >&2
    exit 2
fi
for number in "$RETRY_FOR" "$REQUEST_TIMEOUT" "$BACKOFF" "$BACKOFF_MAX" "$GIVE_UP_AFTER"; do
    case $number in
        '' | *[!0-9]*)
            printf '%s\n' "smoke test misconfigured: '$number' is not a whole number of seconds" >&2
            exit 2
            ;;
    esac
done

NL='
'
# Unquoted on purpose: each is a command with its arguments.
STARTED=$($CLOCK)

elapsed() {
    echo $(($($CLOCK) - STARTED))
}

# Text on one line, at most 400 characters: enough to carry an AADSTS code or an OpenAI error, short enough for
# the 4 KiB termination message.
one_line() {
    printf '%s' "$1" | tr '\r\n\t' '   ' | cut -c1-400
}

has_description() {
    printf '%s' "$1" | grep -Eq '"description"[[:space:]]*:[[:space:]]*"[[:space:]]*([^"[:space:]\\]|\\.)'
}

description_of() {
    printf '%s' "$1" | sed -nE 's/.*"description"[[:space:]]*:[[:space:]]*"(([^"\\]|\\.)*)".*/\1/p' | cut -c1-120
}

contains() {
    printf '%s' "$1" | grep -Eq "$2"
}

ROLLOUT_FIX="kubectl rollout restart deployment/ai-service -n $NAMESPACE, then npm run verify -- --stack <stack>"
VERIFY_FIX="npm run verify -- --stack <stack> (compares the cluster's issuer, the federated credential and the role assignment)"

# Sets VERDICT (pass | retry | stop), REASON and FIX from curl's exit status, the HTTP status and the body.
classify() {
    c_rc=$1
    c_status=$2
    c_body=$3
    VERDICT=retry
    case $c_rc in
        0) ;;
        6)
            REASON="cannot resolve the host of $URL: the ai-service Service is missing in namespace $NAMESPACE, or cluster DNS is not answering"
            FIX="kubectl get service ai-service -n $NAMESPACE"
            return
            ;;
        7)
            REASON="cannot connect to $URL: no ready ai-service pod behind the Service yet (connection refused)"
            FIX="kubectl get pods -l app=ai-service -n $NAMESPACE; kubectl describe pod -l app=ai-service -n $NAMESPACE"
            return
            ;;
        28)
            REASON="no answer from ai-service within ${REQUEST_TIMEOUT}s (timeout): it is hung, or its call to Azure OpenAI cannot get out (egress firewall, private endpoint DNS)"
            FIX="kubectl logs deployment/ai-service -n $NAMESPACE"
            return
            ;;
        52 | 56)
            REASON="ai-service closed the connection without an answer (crash or restart)"
            FIX="kubectl get pods -l app=ai-service -n $NAMESPACE; kubectl logs deployment/ai-service -n $NAMESPACE --previous"
            return
            ;;
        *)
            REASON="the request to $URL failed (curl exit status $c_rc)"
            FIX="kubectl get pods,service -l app=ai-service -n $NAMESPACE"
            return
            ;;
    esac

    if [ "$c_status" = 200 ]; then
        if has_description "$c_body"; then
            VERDICT=pass
            REASON="ai-service answered 200 with a description"
            FIX=""
        else
            REASON="ai-service answered 200 without a non-empty description"
            FIX="kubectl logs deployment/ai-service -n $NAMESPACE"
        fi
        return
    fi

    # Entra ID errors come first: ai-service wraps them in its own 500 (400 in older images).
    if contains "$c_body" 'AADSTS700024'; then
        REASON="Entra ID rejected an expired service-account token (AADSTS700024): the app re-used a token file it read earlier"
        FIX="$ROLLOUT_FIX; the app must re-read AZURE_FEDERATED_TOKEN_FILE for every token (the Azure Identity SDK does)"
    elif contains "$c_body" 'AADSTS(70021|700211|700212|700213)([^0-9]|$)'; then
        code=$(printf '%s' "$c_body" | grep -Eo 'AADSTS(70021|700211|700212|700213)' | head -n 1)
        REASON="Entra ID found no federated credential matching the pod's token ($code): issuer, subject or audience differ, or a new credential has not propagated yet (a minute or two)"
        FIX="$VERIFY_FIX; the credential's issuer must equal the cluster's oidcIssuerProfile.issuerUrl (trailing '/' included), its subject system:serviceaccount:$NAMESPACE:<serviceaccount>, its audience api://AzureADTokenExchange"
    elif contains "$c_body" 'AADSTS[0-9]+'; then
        code=$(printf '%s' "$c_body" | grep -Eo 'AADSTS[0-9]+' | head -n 1)
        REASON="Entra ID refused the token exchange ($code)"
        FIX="look the code up at https://login.microsoftonline.com/error?code=${code#AADSTS}; $VERIFY_FIX"
    elif contains "$c_body" 'AuthenticationTypeDisabled'; then
        VERDICT=stop
        REASON="Azure OpenAI refused an API key (AuthenticationTypeDisabled): a key variable reached the pod, and ai-service used it instead of its identity"
        FIX="remove OPENAI_API_KEY / AZURE_OPENAI_API_KEY from the Deployment and its ConfigMaps/Secrets; $VERIFY_FIX"
    elif contains "$c_body" 'custom subdomain'; then
        VERDICT=stop
        REASON="Azure OpenAI needs a custom-subdomain endpoint for Entra ID tokens; AZURE_OPENAI_ENDPOINT is a regional endpoint"
        FIX="set a custom subdomain on the account and use https://<subdomain>.openai.azure.com/"
    # The two network refusals, told apart by Azure's own wording: waiting fixes neither.
    elif contains "$c_body" 'Public access is disabled'; then
        VERDICT=stop
        REASON="Azure OpenAI refused a call that reached it over the internet (403 Public access is disabled): inside the cluster $OPENAI_HOST resolves to the account's public address, and the account's public network access is off"
        FIX="nslookup $OPENAI_HOST in a pod must answer a private address: a private endpoint (group account) in the cluster's network, a zone group writing into privatelink.openai.azure.com, that zone linked to the cluster's virtual network (openai.network private; npm run plan -- --stack <stack> shows the network hop)"
    elif contains "$c_body" 'Virtual Network/Firewall rules'; then
        VERDICT=stop
        REASON="Azure OpenAI's network rules blocked the call (403 Access denied due to Virtual Network/Firewall rules): the cluster's egress address is not one the account admits"
        FIX="add the cluster's egress address (az aks show -g <resource group> -n <cluster> --query networkProfile.loadBalancerProfile.effectiveOutboundIPs -o tsv, then az network public-ip show --ids <id> --query ipAddress) to openai.allowedIpRanges, or reach the account privately (openai.network private)"
    elif contains "$c_body" 'PermissionDenied|lacks the required data action'; then
        REASON="Azure OpenAI accepted the token but denied the call (PermissionDenied): the role assignment is not effective yet (up to ~10 minutes), or it is on another scope or principal"
        FIX="az role assignment list --assignee $CLIENT_ID --all -o table (expect 'Cognitive Services OpenAI User' on the account); $VERIFY_FIX"
    elif [ "$c_status" = 401 ] || contains "$c_body" 'Error code: 401'; then
        REASON="Azure OpenAI rejected the token (401): the role is not effective yet, or the token is for another tenant or audience"
        FIX="az role assignment list --assignee $CLIENT_ID --all -o table; $VERIFY_FIX"
    elif [ "$c_status" = 403 ] || contains "$c_body" 'Error code: 403'; then
        REASON="Azure OpenAI forbade the call (403): the role assignment is not effective yet, or it is on the wrong scope"
        FIX="az role assignment list --assignee $CLIENT_ID --all -o table (expect 'Cognitive Services OpenAI User' on the account, not the resource group); $VERIFY_FIX"
    elif contains "$c_body" 'DeploymentNotFound|Error code: 404'; then
        REASON="Azure OpenAI has no deployment named $DEPLOYMENT on this account (DeploymentNotFound); a new deployment can take a minute"
        FIX="az cognitiveservices account deployment list -g <resource group> -n <account> -o table; set openai.deploymentName to one of them"
    elif [ "$c_status" = 429 ] || contains "$c_body" 'Error code: 429'; then
        REASON="Azure OpenAI is rate limiting (429): the deployment's tokens-per-minute quota is used up"
        FIX="wait, or raise openai.sku.capacity"
    elif contains "$c_body" 'DefaultAzureCredential failed|WorkloadIdentityCredential|EnvironmentCredential'; then
        VERDICT=stop
        REASON="ai-service found no workload identity credential: the webhook did not inject AZURE_CLIENT_ID / AZURE_FEDERATED_TOKEN_FILE (pod created before workload identity was on, or without the azure.workload.identity/use label)"
        FIX="$ROLLOUT_FIX"
    elif [ "$c_status" = 404 ] || [ "$c_status" = 405 ]; then
        VERDICT=stop
        REASON="ai-service has no POST /generate/description (HTTP $c_status): the image is not aks-store-demo's ai-service, or a version without that route"
        FIX="set aiService.image to ghcr.io/azure-samples/aks-store-demo/ai-service:2.2.0"
    elif [ "$c_status" = 422 ]; then
        VERDICT=stop
        REASON="ai-service rejected the request body (422): its API differs from the one this check speaks"
        FIX="set aiService.image to ghcr.io/azure-samples/aks-store-demo/ai-service:2.2.0"
    else
        REASON="ai-service answered HTTP $c_status"
        FIX="kubectl logs deployment/ai-service -n $NAMESPACE"
    fi
}

# Writes the final message to the log and to the termination log (kubelet keeps 4 KiB of it).
finish() {
    f_status=$1
    f_message=$2
    printf '%s\n' "$f_message"
    printf '%s\n' "$f_message" | head -c 4000 >"$TERMINATION_LOG" 2>/dev/null
    exit "$f_status"
}

printf '%s\n' "smoke test: POST $URL, retrying for up to ${RETRY_FOR}s"
attempt=0
stops=0
while :; do
    attempt=$((attempt + 1))
    out=$(curl -sS --connect-timeout 10 --max-time "$REQUEST_TIMEOUT" \
        -H 'Content-Type: application/json' --data "$BODY" -w '\n%{http_code}' "$URL" 2>&1)
    rc=$?
    status=${out##*"$NL"}
    body=${out%"$NL"*}
    case $status in
        [0-9][0-9][0-9]) ;;
        *)
            status=000
            body=$out
            ;;
    esac
    classify "$rc" "$status" "$body"
    now=$(elapsed)
    if [ "$rc" -eq 0 ]; then
        evidence="HTTP $status: $(one_line "$body")"
    else
        evidence="$(one_line "$body")"
    fi

    if [ "$VERDICT" = pass ]; then
        finish 0 "PASS: ai-service generated a description through Azure OpenAI (attempt $attempt, ${now}s): \"$(description_of "$body")\""
    fi
    # printf, not echo: dash's echo would expand the backslash escapes of a JSON body.
    printf '%s\n' "attempt $attempt (${now}s): $REASON [$evidence]"

    if [ "$VERDICT" = stop ]; then
        stops=$((stops + 1))
    else
        stops=0
    fi
    if [ "$stops" -ge "$GIVE_UP_AFTER" ]; then
        finish 1 "FAIL: $REASON.${NL}Fix: $FIX${NL}Gave up after $attempt attempts in ${now}s: waiting does not fix this.${NL}Last response: $evidence"
    fi
    if [ "$now" -ge "$RETRY_FOR" ]; then
        finish 1 "FAIL: $REASON.${NL}Fix: $FIX${NL}Still failing after $attempt attempts in ${now}s (smokeTest.retryForSeconds = $RETRY_FOR).${NL}Last response: $evidence"
    fi

    pause=$BACKOFF
    remaining=$((RETRY_FOR - now))
    if [ "$pause" -gt "$remaining" ]; then
        pause=$remaining
    fi
    echo "  retrying in ${pause}s"
    $PAUSE "$pause"
    BACKOFF=$((BACKOFF * 2))
    if [ "$BACKOFF" -gt "$BACKOFF_MAX" ]; then
        BACKOFF=$BACKOFF_MAX
    fi
done
