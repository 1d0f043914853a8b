#!/usr/bin/env bash
# scripts/measure-cancel.sh [--oracle] [--runs N]
#
# How long a running job stays COMPLETING after `scancel`: a measurement, not a
# test (durations depend on the machine's load; the tests assert the states a
# cancelled job goes through, never how long they last).
#
# For each of two batch scripts (`exec sleep 600`: the shell is the only process;
# `sleep 600` under bash: a shell and its child) and N runs each: submit, wait
# until RUNNING, wait 1 s, run scancel, then poll `squeue -h -t all -j ID -o %T`
# back to back until the job is CANCELLED.  Prints, per run, how long scancel
# took, when COMPLETING was first and last seen and when CANCELLED was first
# seen (ms after scancel started), then the medians and the median duration of
# one squeue call (the resolution of the polling).
#
#   --oracle   real Slurm: the shared oracle (/work/shared/slurm-oracle), its
#              commands from /usr/bin.  It is shared: run this under
#              `flock /tmp/oracle.lock scripts/measure-cancel.sh --oracle`.
#   (default)  ours: bin/ on a private cluster (a copy of fixtures/oracle/slurm.conf
#              with its own ClusterName and FLOW_STATE_DIR; Redis at
#              FLOW_TEST_REDIS_URL or redis://127.0.0.1:6379/7), removed afterwards.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODE=flow RUNS=5
while [ $# -gt 0 ]; do
  case $1 in
    --oracle) MODE=oracle ;;
    --runs) RUNS=$2; shift ;;
    *) echo "usage: $0 [--oracle] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done
export ROOT MODE RUNS
if [ "$MODE" = oracle ]; then
  # shellcheck disable=SC1091
  . "${ORACLE_DIR:-/work/shared/slurm-oracle}/env.sh"
  export SLURM_CONF
fi
exec /usr/bin/python3 - <<'PY'
import os, re, shutil, statistics, subprocess, tempfile, time

ROOT, MODE, RUNS = os.environ["ROOT"], os.environ["MODE"], int(os.environ["RUNS"])
work = tempfile.mkdtemp(prefix="flow-measure-cancel-")
if MODE == "oracle":
    env = {"PATH": "/usr/bin:/bin", "HOME": "/root", "USER": "root", "SLURM_CONF": os.environ["SLURM_CONF"]}
    cmd = lambda name: name
    cluster = None
else:
    cluster = "measure%d" % os.getpid()
    conf = os.path.join(work, "slurm.conf")
    text = open(os.path.join(ROOT, "fixtures/oracle/slurm.conf")).read()
    open(conf, "w").write(re.sub(r"(?m)^ClusterName=.*$", "ClusterName=" + cluster, text))
    redis = os.environ.get("FLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "USER": os.environ.get("USER", "root"),
           "SLURM_CONF": conf, "FLOW_REDIS_URL": redis, "FLOW_STATE_DIR": os.path.join(work, "state")}
    cmd = lambda name: os.path.join(ROOT, "bin", name)

def run(*argv):
    t = time.monotonic()
    p = subprocess.run([cmd(argv[0])] + list(argv[1:]), cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.stdout, time.monotonic() - t

scripts = {"exec-sleep": "#!/bin/bash\nexec sleep 600\n", "bash-sleep": "#!/bin/bash\nsleep 600\necho not reached\n"}
calls = []
rows = {k: [] for k in scripts}
try:
    for name, body in scripts.items():
        path = os.path.join(work, name + ".sh")
        open(path, "w").write(body)
        for _ in range(RUNS):
            out, _ = run("sbatch", "--parsable", "-t", "5", "-o", "/dev/null", path)
            job = out.strip().split(";")[0]
            while run("squeue", "-h", "-t", "all", "-j", job, "-o", "%T")[0].strip() != "RUNNING":
                time.sleep(0.05)
            time.sleep(1)
            t0 = time.monotonic()
            _, took = run("scancel", job)
            cg_first = cg_last = None
            while True:
                state, d = run("squeue", "-h", "-t", "all", "-j", job, "-o", "%T")
                calls.append(d)
                t = (time.monotonic() - t0) * 1000
                state = state.strip()
                if state == "COMPLETING":
                    cg_first = cg_first or t
                    cg_last = t
                elif state not in ("RUNNING", ""):
                    rows[name].append((took * 1000, cg_first, cg_last, t, state))
                    break
                if t > 120000:
                    raise SystemExit("job %s not final 120 s after scancel" % job)
finally:
    if cluster:
        run("scancel", "-u", env["USER"])
        lease = subprocess.run(["redis-cli", "-u", redis, "GET", "flow:{%s}:controller" % cluster], stdout=subprocess.PIPE, text=True).stdout.strip()
        if ":" in lease:
            try:
                os.kill(int(lease.split(":")[1]), 15)
            except (ValueError, ProcessLookupError):
                pass
        keys = subprocess.run(["redis-cli", "-u", redis, "--scan", "--pattern", "flow:{%s}*" % cluster], stdout=subprocess.PIPE, text=True).stdout.split()
        for i in range(0, len(keys), 500):
            subprocess.run(["redis-cli", "-u", redis, "DEL"] + keys[i:i + 500], stdout=subprocess.DEVNULL)
        time.sleep(1)
    shutil.rmtree(work, ignore_errors=True)

fmt = lambda v: "-" if v is None else "%.0f" % v
print("%s: ms after scancel started (scancel's own time; COMPLETING first/last seen; final seen)" % ("real Slurm (oracle)" if MODE == "oracle" else "flow-slurm"))
for name, rs in rows.items():
    for r in rs:
        print("  %-10s scancel %5s  COMPLETING %5s..%-5s  %s %s" % (name, fmt(r[0]), fmt(r[1]), fmt(r[2]), r[4], fmt(r[3])))
    print("  %-10s median final %s ms (%d runs, COMPLETING seen in %d)" % (name, fmt(statistics.median(r[3] for r in rs)), len(rs), sum(r[1] is not None for r in rs)))
print("  one squeue call: median %.0f ms" % (statistics.median(calls) * 1000))
PY
