#!/bin/sh
# dist/@CMD@ where no C compiler was (bin/@CMD@ links here; scripts/build.mjs writes it): the served
# commands' Node client (dist/client.cjs), which asks the controller to answer in one round trip and
# runs the command in full when it cannot (src/served). Where the C client was built, dist/@CMD@ is
# that client itself, which starts in about a millisecond where Node takes tens.
c=@CMD@ d=${0%/*}/../dist
[ -f "$d/client.cjs" ] || { d=$(readlink -f -- "$0"); d=${d%/*}; }
if [ "${FLOW_SERVED-}" = 0 ]; then exec node "$d/launch.cjs" "$c" "$@"; fi
case ${FLOW_CLIENT-} in
  '' | node) exec node "$d/client.cjs" "$c" "$@" ;;
  c)
    echo "$c: error: FLOW_CLIENT=c, but the C client is not built (npm run build builds it where a C compiler is)" >&2
    exit 1 ;;
  *)
    echo "$c: error: FLOW_CLIENT must be c or node, not $FLOW_CLIENT" >&2
    exit 1 ;;
esac
