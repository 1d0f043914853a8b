#!/bin/sh
# flow-slurm: scontrol inside a job on Mithril nodes (POSIX sh). Only what job
# scripts ask of it there: `scontrol show hostnames [LIST]` (LIST defaults to
# SLURM_JOB_NODELIST), one name per line, as Slurm expands a hostlist
# (prefix[1-3,07-08]suffix, several joined by commas; one bracket per name).
if [ "$1" = show ] && [ "$2" = hostnames ]; then
  list=${3:-$SLURM_JOB_NODELIST}
  printf '%s\n' "$list" | awk '
    function emit(name,   o, c, pre, body, post, n, parts, i, r, a, b, w, k) {
      o = index(name, "["); c = index(name, "]")
      if (o == 0 || c < o) { print name; return }
      pre = substr(name, 1, o - 1); body = substr(name, o + 1, c - o - 1); post = substr(name, c + 1)
      n = split(body, parts, ",")
      for (i = 1; i <= n; i++) {
        r = split(parts[i], a, "-")
        b = (r == 2) ? a[2] : a[1]; w = length(a[1])
        for (k = a[1] + 0; k <= b + 0; k++) printf "%s%0" w "d%s\n", pre, k, post
      }
    }
    {
      s = $0; depth = 0; cur = ""
      for (i = 1; i <= length(s); i++) {
        ch = substr(s, i, 1)
        if (ch == "[") depth++
        if (ch == "]") depth--
        if (ch == "," && depth == 0) { if (cur != "") emit(cur); cur = ""; continue }
        cur = cur ch
      }
      if (cur != "") emit(cur)
    }'
  exit 0
fi
echo "scontrol: error: inside a job on Mithril nodes only \`scontrol show hostnames\` is available" >&2
exit 1
