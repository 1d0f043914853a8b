#!/usr/bin/env bash
# scripts/record-oracle-users.sh
#
# Record, from REAL Slurm 22.05.8 (the oracle in /work/shared/slurm-oracle), what a
# plain user (alice) is told when she acts on root's jobs (scancel, scontrol hold /
# release / update / requeue / suspend ...), and what squeue / scontrol show job
# show her with and without PrivateData=jobs. Writes fixtures/oracle/users/cases.json.
#
# Root submits the jobs ({R} running, {P} held, {Q} pending until a begin time,
# {A} a running array of 4 tasks, {H} a held array of 4 tasks, {M} alice's own
# pending job); alice then runs each case with `runuser -u alice`; after each
# case root's squeue says what became of the job (it must be untouched).
# PrivateData: /etc/slurm-oracle/slurm.conf gets `PrivateData=jobs`, `scontrol
# reconfigure`, the PrivateData cases run, and the file is restored byte for byte
# (and reconfigured again), all inside the oracle lock.
# Needs root, a user `alice` (created if missing) and the oracle running.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/slurm-oracle}
# shellcheck disable=SC1091
. "$ORACLE_DIR/env.sh"
id alice >/dev/null 2>&1 || useradd -m alice
export ROOT SLURM_CONF
exec flock -o /tmp/oracle.lock /usr/bin/python3 - "$@" <<'PY'
import json, os, re, shutil, subprocess, time

ROOT = os.environ["ROOT"]
CONF = os.environ["SLURM_CONF"]
OUT = os.path.join(ROOT, "fixtures/oracle/users")
WORK = "/tmp/flow-oracle/users"
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "SLURM_CONF": CONF, "TZ": "UTC"}

def run(argv, user="root", cwd=WORK):
    if user != "root":
        argv = ["runuser", "-u", user, "--", "env", "-i", *[f"{k}={v}" for k, v in ENV.items()], f"HOME=/home/{user}", f"USER={user}", *argv]
    p = subprocess.run(argv, cwd=cwd, env={**ENV, "HOME": "/root", "USER": "root"}, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr

def sbatch(args, user="root", cwd=WORK):
    rc, out, err = run(["sbatch", "--parsable", "-o", "/dev/null", *args, "--wrap", "sleep 600"], user, cwd)
    assert rc == 0, err
    return out.strip().split(";")[0]

def state(jid):
    rc, out, _ = run(["squeue", "-h", "-r", "-j", jid, "-o", "%i %T %r %Q"])
    return out

def wait_running(jid, n=1):
    for _ in range(200):
        rows = [l for l in state(jid).splitlines() if " RUNNING " in l]
        if len(rows) >= n: return
        time.sleep(0.1)
    raise SystemExit(f"job {jid} did not start")

shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chmod(WORK, 0o777)
os.makedirs(f"/home/alice/users", exist_ok=True)
shutil.chown("/home/alice/users", "alice", "alice")

ids = {}
ids["R"] = sbatch(["-J", "rootjob"])
ids["P"] = sbatch(["-J", "rootjob", "-H"])
ids["Q"] = sbatch(["-J", "rootjob", "--begin=now+1hour"])
ids["A"] = sbatch(["-J", "rootarr", "--array=0-3"])
ids["H"] = sbatch(["-J", "rootarr", "-H", "--array=0-3"])
ids["M"] = sbatch(["-J", "alicejob", "--begin=now+1hour"], user="alice", cwd="/home/alice/users")
wait_running(ids["R"]); wait_running(ids["A"], 4)

def mask(text):
    # longest ids first so 1234 is not masked inside 12345
    for k, v in sorted(ids.items(), key=lambda kv: -len(kv[1])):
        # not inside a date, a time, a number or the plugin line (the oracle's ids are small)
        text = re.sub(rf"(?<![\d:T-])(?<!argument ){v}(?!\d|:\d)", "{" + k + "}", text)
    return text

def unmask(arg):
    return re.sub(r"\{(\w)\}", lambda m: ids[m.group(1)], arg)

cases = []
def case(name, args, user="alice", job=None, note=""):
    argv = [unmask(a) for a in args]
    rc, out, err = run(argv, user, "/home/alice/users" if user == "alice" else WORK)
    c = {"name": name, "user": user, "args": args, "exit": rc, "stdout": mask(out), "stderr": mask(err)}
    if job: c["after"] = mask(state(unmask(job)))
    if note: c["note"] = note
    cases.append(c)

# what root sees before anything happens
for k in ids: cases.append({"name": f"before-{k}", "user": "root", "args": ["squeue", "-h", "-r", "-j", "{" + k + "}", "-o", "%i %T %r %Q"], "exit": 0, "stdout": mask(state(ids[k])), "stderr": ""})

case("scancel-running", ["scancel", "{R}"], job="{R}")
case("scancel-pending", ["scancel", "{Q}"], job="{Q}")
case("scancel-held", ["scancel", "{P}"], job="{P}")
case("scancel-verbose", ["scancel", "-v", "{R}"], job="{R}")
case("scancel-signal", ["scancel", "-s", "USR1", "{R}"], job="{R}")
case("scancel-signal-batch", ["scancel", "-b", "-s", "TERM", "{R}"], job="{R}")
case("scancel-two", ["scancel", "{R}", "{Q}"], job="{R}")
case("scancel-name", ["scancel", "-n", "rootjob"], job="{R}")
case("scancel-name-verbose", ["scancel", "-v", "-n", "rootjob"], job="{R}")
case("scancel-user-root", ["scancel", "-u", "root"], job="{R}")
case("scancel-user-root-verbose", ["scancel", "-v", "-u", "root"], job="{R}")
case("scancel-state-running", ["scancel", "-t", "RUNNING"], job="{R}")
case("scancel-array-task", ["scancel", "{A}_1"], job="{A}")
case("scancel-array-whole", ["scancel", "{A}"], job="{A}")
case("scancel-array-all", ["scancel", "{A}_*"], job="{A}")
case("scancel-held-array-task", ["scancel", "{H}_2"], job="{H}")
case("scancel-held-array-whole", ["scancel", "{H}"], job="{H}")
case("scancel-array-signal", ["scancel", "-s", "USR1", "{A}_1"], job="{A}")
case("hold-pending", ["scontrol", "hold", "{Q}"], job="{Q}")
case("uhold-pending", ["scontrol", "uhold", "{Q}"], job="{Q}")
case("hold-running", ["scontrol", "hold", "{R}"], job="{R}")
case("release-held", ["scontrol", "release", "{P}"], job="{P}")
case("release-held-array-task", ["scontrol", "release", "{H}_1"], job="{H}")
case("hold-array-task", ["scontrol", "hold", "{H}_1"], job="{H}")
case("update-timelimit", ["scontrol", "update", "JobId={Q}", "TimeLimit=10"], job="{Q}")
case("update-name", ["scontrol", "update", "JobId={Q}", "JobName=mine"], job="{Q}")
case("update-running", ["scontrol", "update", "JobId={R}", "TimeLimit=10"], job="{R}")
case("update-array-task", ["scontrol", "update", "JobId={H}_1", "TimeLimit=10"], job="{H}")
case("update-jobname-filter", ["scontrol", "update", "JobName=rootjob", "TimeLimit=10"], job="{Q}")
case("requeue-running", ["scontrol", "requeue", "{R}"], job="{R}")
case("requeuehold-running", ["scontrol", "requeuehold", "{R}"], job="{R}")
case("requeue-array-task", ["scontrol", "requeue", "{A}_1"], job="{A}")
case("suspend-running", ["scontrol", "suspend", "{R}"], job="{R}")
case("resume-running", ["scontrol", "resume", "{R}"], job="{R}")
case("top-pending", ["scontrol", "top", "{Q}"], job="{Q}")
case("show-job", ["scontrol", "show", "job", "{R}"], job="{R}")
case("squeue-all", ["squeue", "-h", "-o", "%i %u %j %T"])
# her own job: every request is hers to make
case("own-hold", ["scontrol", "hold", "{M}"], job="{M}")
case("own-release", ["scontrol", "release", "{M}"], job="{M}")
case("own-update", ["scontrol", "update", "JobId={M}", "TimeLimit=10"], job="{M}")
case("own-scancel", ["scancel", "{M}"], job="{M}")
ids["M"] = sbatch(["-J", "alicejob", "--begin=now+1hour"], user="alice", cwd="/home/alice/users")
# root may touch hers
case("root-hold-alice", ["scontrol", "hold", "{M}"], user="root", job="{M}")
case("root-release-alice", ["scontrol", "release", "{M}"], user="root", job="{M}")

# PrivateData=jobs: squeue / scontrol show job as alice, and as root
original = open(CONF, "rb").read()
try:
    with open(CONF, "ab") as f: f.write(b"\nPrivateData=jobs\n")
    rc, _, err = run(["scontrol", "reconfigure"]); assert rc == 0, err
    time.sleep(2)
    case("private-squeue", ["squeue", "-h", "-o", "%i %u %j %T"])
    case("private-squeue-all-users", ["squeue", "-h", "-a", "-o", "%i %u %j %T"])
    case("private-squeue-job", ["squeue", "-h", "-j", "{R}", "-o", "%i %u %j %T"])
    case("private-squeue-job-own", ["squeue", "-h", "-j", "{M}", "-o", "%i %u %j %T"])
    case("private-squeue-user", ["squeue", "-h", "-u", "root", "-o", "%i %u %j %T"])
    case("private-squeue-header", ["squeue"])
    case("private-show-job", ["scontrol", "show", "job", "{R}"])
    case("private-show-job-oneliner", ["scontrol", "-o", "show", "job", "{R}"])
    case("private-show-job-all", ["scontrol", "-o", "show", "job"])
    case("private-show-job-own", ["scontrol", "-o", "show", "job", "{M}"])
    case("private-scancel", ["scancel", "{R}"], job="{R}")
    case("private-hold", ["scontrol", "hold", "{Q}"], job="{Q}")
    case("private-root-squeue", ["squeue", "-h", "-o", "%i %u %j %T"], user="root")
    case("private-root-show-job", ["scontrol", "-o", "show", "job", "{M}"], user="root")
finally:
    with open(CONF, "wb") as f: f.write(original)
    rc, _, err = run(["scontrol", "reconfigure"]); assert rc == 0, err
assert open(CONF, "rb").read() == original

for v in ids.values(): run(["scancel", v])
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "cases.json"), "w") as f:
    json.dump({"source": "real Slurm 22.05.8 (the oracle, /work/shared/slurm-oracle) by scripts/record-oracle-users.sh",
               "cases": cases}, f, indent=1)
    f.write("\n")
print(f"{len(cases)} cases written to {OUT}/cases.json")
PY
