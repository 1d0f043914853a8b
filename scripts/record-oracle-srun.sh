#!/usr/bin/env bash
# scripts/record-oracle-srun.sh [case-name...]
#
# Record, from REAL Slurm 22.05 (the oracle in /work/shared/slurm-oracle), what
# `srun` does inside a batch allocation (job steps: task layout, per-task
# environment, GPUs, labels, -o/-e patterns, --export, exit codes, errors,
# concurrent steps, squeue -s) and outside one (srun creating its own job),
# for every case of fixtures/oracle/srun/cases.json (or only the named ones).
# flow-slurm's srun is tested against these recordings.  See
# fixtures/oracle/srun/README.md.
#
# Case kinds (cases.json "kind"):
#   batch   (default) copy the script (+ "files", e.g. taskline.sh) from
#           fixtures/scripts/srun/ into the fixed work dir
#           /tmp/flow-oracle/srun/<name> (recreated empty), run
#           `sbatch --parsable <args> <script>` there with a clean environment,
#           poll squeue (one shared call for all cases, every 0.1 s) until the
#           job is final, optionally run the case's "probe" commands
#           (squeue -s, scontrol show step ...) while its steps run ("when":
#           "PENDING": as soon as the job is queued; "cancel": scancel after), then
#           collect scontrol show job -o, sacct --completion, jobcomp lines,
#           daemon log lines and every file in the work dir.
#           "expectSubmitFailure": true records a rejected sbatch instead.
#   direct  run each "commands" entry (`bash -c <cmd>`, i.e. srun outside any
#           allocation) in the work dir with the clean environment and a
#           timeout (SIGTERM to the process group, then SIGKILL after 10 s);
#           stdout/stderr are recorded with the time each line arrived.
#           Per command: "holder" (sbatch args of a job submitted first and
#           waited for until RUNNING, e.g. to take all GPUs), "cancelAfter"
#           (seconds: scancel the command's own pending job, found by its
#           WorkDir, while srun waits).  The jobs srun created are found by
#           WorkDir (= the case's work dir) in `scontrol show job -o`.
# Cases of one "group" (default "h100"; the a100 cases have "a100") run one
# after another in cases.json order, so they never compete for nodes or GPUs;
# the groups and the "parallel": true cases (nothing allocated) run at the same
# time.  A full run (no names) first deletes srun/*.json except cases.json.  A final sweep scancels anything of this run still in the queue.
# Needs the oracle running: /work/shared/slurm-oracle/start.sh (never stop it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/slurm-oracle}
# shellcheck disable=SC1091
. "$ORACLE_DIR/env.sh"        # exports SLURM_CONF=/etc/slurm-oracle/slurm.conf

if ! env -i PATH=/usr/bin:/bin SLURM_CONF="$SLURM_CONF" sinfo -h >/dev/null 2>&1; then
  echo "record-oracle-srun: the oracle Slurm does not answer (sinfo failed)." >&2
  echo "record-oracle-srun: start it with $ORACLE_DIR/start.sh (as root), then re-run." >&2
  exit 1
fi

export ROOT SLURM_CONF ORACLE_DIR
exec /usr/bin/python3 - "$@" <<'PY'
import datetime, json, os, re, shutil, signal, socket, subprocess, sys, threading, time

ROOT = os.environ["ROOT"]
SLURM_CONF = os.environ["SLURM_CONF"]
ORACLE_DIR = os.environ["ORACLE_DIR"]
SCRIPTS = os.path.join(ROOT, "fixtures/scripts/srun")
OUT = os.path.join(ROOT, "fixtures/oracle/srun")
BASE = "/tmp/flow-oracle/srun"
POLL = 0.1
DEFAULT_TIMEOUT = 180
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                "PREEMPTED", "BOOT_FAIL", "DEADLINE"}
ENV_RE = re.compile(r"(SLURM_|SLURMD_|SRUN_|CUDA_VISIBLE_DEVICES=|GPU_DEVICE_ORDINAL=|ROCR_VISIBLE_DEVICES=)")
TIME_RE = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\b")
IP_RE = re.compile(r"(?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9.])")
HOST = socket.gethostname()
SAMPLE = os.path.join(ORACLE_DIR, "samples/two-node-srun.sh")

CLEAN_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/root", "USER": "root", "SLURM_CONF": SLURM_CONF}


def text(b):
    return b.decode("utf-8", errors="backslashreplace")


def run(argv, cwd=BASE, env=None, timeout=60):
    p = subprocess.run(argv, cwd=cwd, env=env or CLEAN_ENV, timeout=timeout, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, text(p.stdout), text(p.stderr)


def parse_scontrol(line):
    parts = re.split(r" (?=[A-Za-z][A-Za-z0-9_/:]*=)", line.strip())
    return dict(p.partition("=")[::2] for p in parts)


def scontrol_lines(job_id):
    rc, out, err = run(["scontrol", "show", "job", "-o", str(job_id)])
    return [l for l in out.split("\n") if l.strip()], (err if rc else None)


def expand_hosts(expr):
    if not expr or expr == "(null)":
        return []
    rc, out, _ = run(["scontrol", "show", "hostnames", expr])
    return out.split() if rc == 0 else []


def stamp(t):
    return round(t, 2)


# ---------------------------------------------------------------- poller
class Poller(threading.Thread):
    """One squeue call per POLL for the jobs of every running case."""
    def __init__(self):
        super().__init__(daemon=True)
        self.ids = set()
        self.cond = threading.Condition()
        self.rows, self.taken, self.gen = {}, 0.0, 0
        self.stopping = False

    def watch(self, job_id):
        with self.cond:
            self.ids.add(str(job_id))

    def unwatch(self, ids):
        with self.cond:
            self.ids -= {str(i) for i in ids}

    def run(self):
        while not self.stopping:
            with self.cond:
                ids = sorted(self.ids)
            rows = {}
            t = time.time()
            if ids:
                try:
                    rc, out, _ = run(["squeue", "-h", "-t", "all", "-j", ",".join(ids),
                                      "-o", "%i|%A|%T|%r"], timeout=20)
                except subprocess.TimeoutExpired:
                    rc, out = 1, ""
                for l in out.splitlines():
                    f = l.split("|")
                    if len(f) == 4:
                        rows[f[0]] = {"key": f[0], "jobId": f[1], "state": f[2], "reason": f[3]}
            with self.cond:
                self.rows, self.taken, self.gen = rows, t, self.gen + 1
                self.cond.notify_all()
            time.sleep(POLL)

    def wait_next(self, gen, timeout=5):
        with self.cond:
            self.cond.wait_for(lambda: self.gen > gen, timeout=timeout)
            return self.gen, self.taken, dict(self.rows)


POLLER = Poller()
ALL_IDS = set()
ALL_LOCK = threading.Lock()


def remember(job_id):
    with ALL_LOCK:
        ALL_IDS.add(int(job_id))


# ---------------------------------------------------------------- normalisation
def sub_id(s, old, new):
    return re.sub(r"(?<![0-9])%s(?![0-9])" % re.escape(str(old)), new, s) if old else s


def normalize(s, idmap, wd):
    """Work dir, volatile values, ports, IPs, times, job ids, host name -> placeholders."""
    s = s.replace(wd, "{WORKDIR}")
    s = re.sub(r"\b(SLURM_TASK_PID|SLURM_JOB_START_TIME|SLURM_JOB_END_TIME)=[0-9]*", r"\1={VOLATILE}", s)
    s = re.sub(r"\b(SLURM_SUBMIT_HOST)=\S*", r"\1={SUBMIT_HOST}", s)
    s = re.sub(r"\b(SLURM_SRUN_COMM_PORT|SLURM_STEP_LAUNCHER_PORT|SLURM_STEP_RESV_PORTS)=[0-9,-]*",
               r"\1={PORT}", s)
    s = re.sub(r"(SrunHost:Pid=[^:\s]*:)[0-9]+", r"\1{VOLATILE}", s)
    s = re.sub(r"(AllocNode:Sid=[^:\s]*:)[0-9]+", r"\1{VOLATILE}", s)
    s = IP_RE.sub("{IPADDR}", s)
    s = TIME_RE.sub("{TIME}", s)
    for old, new in idmap:
        s = sub_id(s, old, new)
    s = re.sub(r"(?<![A-Za-z0-9])%s(?![A-Za-z0-9])" % re.escape(HOST), "{HOSTNAME}", s)
    return s


def sections(normalized):
    """Split normalised script output at its '== title' lines."""
    out, cur = [], None
    for l in normalized.splitlines():
        if l.startswith("== "):
            cur = {"title": l[3:], "lines": []}
            out.append(cur)
        elif cur is not None:
            cur["lines"].append(l)
    return out


SUMMARY_KEYS = ("JobId", "JobName", "JobState", "Reason", "ExitCode", "DerivedExitCode", "RunTime",
                "TimeLimit", "SubmitTime", "StartTime", "EndTime", "Partition", "NodeList", "BatchHost",
                "NumNodes", "NumCPUs", "NumTasks", "CPUs/Task", "TRES", "MinMemoryCPU", "MinMemoryNode",
                "TresPerNode", "TresPerJob", "TresPerTask", "BatchFlag", "Command", "WorkDir", "StdIn", "StdOut",
                "StdErr")


def summary(recs):
    out = []
    for d in recs:
        s = {k: d[k] for k in SUMMARY_KEYS if k in d}
        try:
            st = datetime.datetime.fromisoformat(d["StartTime"])
            en = datetime.datetime.fromisoformat(d["EndTime"])
            sb = datetime.datetime.fromisoformat(d["SubmitTime"])
            s["queuedSeconds"] = (st - sb).total_seconds()
            s["ranSeconds"] = (en - st).total_seconds()
        except (KeyError, ValueError):
            pass
        out.append(s)
    return out


# ---------------------------------------------------------------- common case machinery
class Case:
    def __init__(self, case, source):
        self.case, self.source = case, source
        self.name = case["name"]
        self.wd = os.path.join(BASE, self.name)
        self.t0 = None
        self.subs = []            # sbatch submissions (batch job, holders)
        self.states = {}
        self.probes = []
        self.timed_out = False
        self.copied = []
        self.recs = []
        self.scontrol = []
        self.gmap = []

    def log(self, msg):
        print("[%6.1fs] %-26s %s" % (time.time() - self.t0 if self.t0 else 0, self.name, msg), flush=True)

    def prepare(self):
        if os.path.isdir(self.wd):
            shutil.rmtree(self.wd)
        os.makedirs(self.wd)
        for s in ([self.case["script"]] if self.case.get("script") else []) + self.case.get("files", []):
            if s not in self.copied:
                shutil.copy(os.path.join(SCRIPTS, s), os.path.join(self.wd, s))
                self.copied.append(s)

    def sbatch(self, label, args, script=None, must=True):
        env = dict(CLEAN_ENV)
        env.update(self.case.get("env", {}))
        argv = ["sbatch", "--parsable"] + args + ([script] if script else [])
        t = time.time()
        if self.t0 is None:
            self.t0 = t
        rc, out, err = run(argv, cwd=self.wd, env=env)
        m = re.match(r"\s*([0-9]+)", out)
        job_id = int(m.group(1)) if rc == 0 and m else None
        sub = {"label": label, "argv": argv, "t": stamp(t - self.t0), "sbatchSeconds": stamp(time.time() - t),
               "exit": rc, "stdout": out, "stderr": err, "jobId": job_id}
        self.subs.append(sub)
        if job_id is None:
            if must:
                raise RuntimeError("sbatch failed: %s: %s" % (argv, err.strip()))
            self.log("sbatch rejected (rc=%d): %s" % (rc, err.strip()))
            return sub
        remember(job_id)
        POLLER.watch(job_id)
        self.log("submitted %s=%d" % (label, job_id))
        return sub

    def note_rows(self, taken, rows, ids):
        mine = [r for r in rows.values() if r["jobId"] in ids]
        for r in mine:
            hist = self.states.setdefault(r["key"], [])
            if not hist or hist[-1][1:] != [r["state"], r["reason"]]:
                hist.append([stamp(taken - self.t0), r["state"], r["reason"]])
        return mine

    def wait_state(self, ids, pred, deadline):
        """Poll until pred(rows of ids) holds; on deadline scancel (once) and keep waiting <= 60 s."""
        gen = 0
        start = time.time()
        while True:
            gen, taken, rows = POLLER.wait_next(gen)
            mine = self.note_rows(taken, rows, ids)
            if taken > start and pred(mine, ids):
                return True
            if time.time() > deadline:
                if self.timed_out:
                    self.log("still not final 60 s after scancel; giving up")
                    return False
                self.timed_out = True
                self.log("TIMEOUT: cancelling %s" % sorted(ids))
                run(["scancel"] + sorted(ids))
                deadline = time.time() + 60

    @staticmethod
    def all_final(mine, ids):
        return {r["jobId"] for r in mine} >= set(ids) and all(r["state"] in FINAL_STATES for r in mine)

    @staticmethod
    def all_running(mine, ids):
        return {r["jobId"] for r in mine} >= set(ids) and \
            all(r["state"] in FINAL_STATES | {"RUNNING"} for r in mine)

    def execute(self):
        return self._execute()

    # ------------------------------------------------------------ results
    def collect_jobs(self, ids):
        """scontrol lines of ids, sacct --completion rows, jobcomp and daemon log lines."""
        lines = []
        for i in ids:
            l, err = scontrol_lines(i)
            lines += l
            if err:
                lines.append("<scontrol error for %s: %s>" % (i, err.strip()))
        self.scontrol = lines
        self.recs = sorted((parse_scontrol(l) for l in lines if l.startswith("JobId=")),
                           key=lambda d: int(d["JobId"]))
        sids = {str(i) for i in ids}
        fields = ("JobID,JobName,Partition,State,ExitCode,DerivedExitCode,NodeList,NNodes,NCPUS,Timelimit,"
                  "Start,End,Elapsed,WorkDir")
        rows, out = [], ""
        for _ in range(10):
            rc, out, err = run(["sacct", "--completion", "-P", "-o", fields])
            rows = [l for l in out.splitlines()[1:] if l.split("|")[0] in sids]
            if {r.split("|")[0] for r in rows} >= {d["JobId"] for d in self.recs
                                                 if d.get("JobState") in FINAL_STATES}:
                break
            time.sleep(0.5)
        self.sacct = {"argv": ["sacct", "--completion", "-P", "-o", fields],
                      "header": out.splitlines()[0] if out else "", "rows": rows}
        self.jobcomp, loc = [], None
        for l in open(SLURM_CONF):
            m = re.match(r"\s*JobCompLoc\s*=\s*(\S+)", l)
            if m:
                loc = m.group(1)
        if loc and os.path.exists(loc):
            with open(loc, errors="replace") as f:
                self.jobcomp = [l.rstrip("\n") for l in f
                                if re.match(r"JobId=([0-9]+) ", l) and re.match(r"JobId=([0-9]+) ", l).group(1) in sids]
        self.logs = {}
        if not sids:
            return
        idre = re.compile(r"(?:JobId=|[Jj]ob |\[|\(|StepId=|STEP |JOB )(?:%s)(?![0-9])" % "|".join(sorted(sids)))
        logdir = os.path.dirname(loc) if loc else "/var/log/slurm-oracle"
        hosts = sorted({h for d in self.recs for h in expand_hosts(d.get("NodeList", ""))})
        for name in ["slurmctld"] + ["slurmd-%s" % h for h in hosts]:
            try:
                with open(os.path.join(logdir, name + ".log"), errors="replace") as f:
                    self.logs[name] = [l.rstrip("\n") for l in f if idre.search(l)]
            except OSError as e:
                self.logs[name] = ["<unreadable: %s>" % e]

    def collect_files(self):
        self.files = []
        for dirpath, dirnames, filenames in os.walk(self.wd):
            dirnames.sort()
            for fn in sorted(filenames):
                path = os.path.join(dirpath, fn)
                rel = os.path.relpath(path, self.wd)
                if rel in self.copied:
                    continue
                self.files.append(self.file_entry(path, rel))

    def file_entry(self, path, rel):
        with open(path, "rb") as f:
            raw = f.read()
        content = text(raw)
        norm = normalize(content, self.gmap, self.wd)
        env = [l for l in content.splitlines() if ENV_RE.match(l)]
        e = {"name": rel,
             "nameNormalized": normalize(rel, self.gmap, self.wd),
             "size": len(raw),
             "content": content,
             "contentNormalized": norm,
             "env": env,
             "envNormalized": [normalize(l, self.gmap, self.wd) for l in env]}
        secs = sections(norm)
        if secs:
            e["sections"] = secs
        return e

    def base_result(self):
        norm_states = {}
        for k, v in self.states.items():
            nk = k
            for old, new in self.gmap:
                nk = sub_id(nk, old, new)
            norm_states[nk] = v
        return {
            "source": self.source,
            "case": self.case,
            "kind": self.case.get("kind", "batch"),
            "cwd": self.wd,
            "env": dict(CLEAN_ENV, **self.case.get("env", {})),
            "submissions": self.subs,
            "jobIds": sorted({int(d["JobId"]) for d in self.recs} | {s["jobId"] for s in self.subs if s["jobId"]}),
            "placeholders": {new: int(old) for old, new in self.gmap},
            "states": norm_states,
            "timedOut": bool(self.timed_out),
        }


# ---------------------------------------------------------------- batch cases
class BatchCase(Case):
    def _execute(self):
        c = self.case
        self.prepare()
        if c["script"] == "two-node-srun.sh":
            with open(SAMPLE, "rb") as a, open(os.path.join(SCRIPTS, c["script"]), "rb") as b:
                self.sample_identical = a.read() == b.read()
            if not self.sample_identical:
                self.log("WARNING: fixtures/scripts/srun/two-node-srun.sh differs from %s" % SAMPLE)
        deadline = time.time() + c.get("timeout", DEFAULT_TIMEOUT)
        sub = self.sbatch("JOBID", c.get("args", []), c["script"], must=not c.get("expectSubmitFailure"))
        if sub["jobId"] is None:
            self.gmap = []
            self.collect_jobs([])
            self.files = []
            return
        ids = {str(sub["jobId"])}
        if c.get("probe"):
            if c["probe"].get("when") == "PENDING":
                self.wait_state(ids, lambda mine, ids: bool(mine), deadline)
            else:
                self.wait_state(ids, self.all_running, deadline)
            self.run_probe(sub["jobId"])
            if c["probe"].get("cancel"):
                rc, out, err = run(["scancel", str(sub["jobId"])])
                self.probes.append({"t": stamp(time.time() - self.t0), "argv": ["scancel", str(sub["jobId"])],
                                    "exit": rc, "stdout": out, "stderr": err})
                self.log("probe: cancelled")
        self.wait_state(ids, self.all_final, deadline)
        time.sleep(1.0)           # let slurmstepd/slurmctld finish writing files and jobcomp
        self.gmap = [(str(sub["jobId"]), "{JOBID}")]
        self.collect_jobs([sub["jobId"]])
        self.collect_files()
        POLLER.unwatch(ids)

    def run_probe(self, job_id):
        p = self.case["probe"]
        want = [w.replace("{JOBID}", str(job_id)) for w in p.get("waitFor", [])]
        end = time.time() + p.get("maxWait", 30)
        seen = ""
        while time.time() < end:
            rc, seen, _ = run(["squeue", "-s", "-h", "-j", str(job_id), "-o", "%i"])
            if all(w in seen.split() for w in want):
                break
            time.sleep(0.2)
        else:
            self.log("probe: steps %s not all seen (last: %s)" % (want, seen.split()))
        time.sleep(p.get("delay", 0))
        self.log("probe: running %d commands" % len(p["commands"]))
        for argv in p["commands"]:
            argv = [a.replace("{JOBID}", str(job_id)) for a in argv]
            t = time.time()
            rc, out, err = run(argv)
            self.probes.append({"t": stamp(t - self.t0), "argv": argv, "exit": rc, "stdout": out, "stderr": err})

    def result(self):
        r = self.base_result()
        for p in self.probes:
            p["stdoutNormalized"] = normalize(p["stdout"], self.gmap, self.wd)
            p["stderrNormalized"] = normalize(p["stderr"], self.gmap, self.wd)
            p["argvNormalized"] = [normalize(a, self.gmap, self.wd) for a in p["argv"]]
        if hasattr(self, "sample_identical"):
            r["sampleIdentical"] = self.sample_identical
            r["sample"] = SAMPLE
        r.update({
            "probes": self.probes,
            "scontrol": self.scontrol,
            "final": summary(self.recs),
            "sacctCompletion": self.sacct,
            "jobcomp": self.jobcomp,
            "daemonLog": self.logs,
            "files": self.files,
        })
        return r


# ---------------------------------------------------------------- direct (outside an allocation) cases
class Stream(threading.Thread):
    def __init__(self, f, t0, sink):
        super().__init__(daemon=True)
        self.f, self.t0, self.sink = f, t0, sink

    def run(self):
        for raw in iter(self.f.readline, b""):
            self.sink.append([stamp(time.time() - self.t0), raw])


class DirectCase(Case):
    def _execute(self):
        c = self.case
        self.prepare()
        self.t0 = time.time()
        self.cmds = []
        baseline = set(self.jobs_in_wd())   # jobs of earlier runs in this work dir (MinJobAge=300 s)
        known = set(baseline)
        n_jobs = 0
        for i, spec in enumerate(c["commands"]):
            if isinstance(spec, str):
                spec = {"cmd": spec}
            entry = {"cmd": spec["cmd"], "timeout": spec.get("timeout", 60)}
            holder = None
            if spec.get("holder"):
                nh = sum(1 for s in self.subs if s["label"].startswith("HOLDER"))
                holder = self.sbatch("HOLDER_JOBID" + ("_%d" % (nh + 1) if nh else ""), spec["holder"])
                known.add(holder["jobId"])
                self.wait_state({str(holder["jobId"])}, self.all_running, time.time() + 60)
                entry["holder"] = holder["label"]
                time.sleep(0.5)
            self.run_command(entry, spec)
            if holder:
                run(["scancel", str(holder["jobId"])])
                self.wait_state({str(holder["jobId"])}, self.all_final, time.time() + 60)
            # the jobs this command created: WorkDir == our work dir, not seen before
            time.sleep(0.3)
            new = [j for j in self.jobs_in_wd() if j not in known]
            for j in new:
                known.add(j)
                remember(j)
                n_jobs += 1
            entry["jobIds"] = new
            entry["jobLabels"] = ["JOBID" + ("_%d" % (n_jobs - len(new) + k + 1) if n_jobs - len(new) + k else "")
                                  for k in range(len(new))]
            self.cmds.append(entry)
            self.log("command %d: rc=%s jobs=%s" % (i, entry["exit"], new))
        # wait until everything we created is final (srun's job ends with srun)
        known -= baseline
        ids = {str(j) for j in known}
        for j in ids:
            POLLER.watch(j)
        if ids:
            self.wait_state(ids, self.all_final, time.time() + 60)
        time.sleep(1.0)
        self.gmap = []
        for e in self.cmds:
            self.gmap += [(str(j), "{%s}" % l) for j, l in zip(e["jobIds"], e["jobLabels"])]
        self.gmap += [(str(s["jobId"]), "{%s}" % s["label"]) for s in self.subs if s["jobId"]]
        self.collect_jobs(sorted(known))
        self.collect_files()
        POLLER.unwatch(ids)

    def jobs_in_wd(self):
        rc, out, _ = run(["scontrol", "show", "job", "-o"])
        ids = []
        for l in out.splitlines():
            if l.startswith("JobId=") and (" WorkDir=%s " % self.wd) in l + " ":
                ids.append(int(parse_scontrol(l)["JobId"]))
        return sorted(ids)

    def run_command(self, entry, spec):
        t = time.time()
        entry["t"] = stamp(t - self.t0)
        p = subprocess.Popen(["bash", "-c", spec["cmd"]], cwd=self.wd, env=dict(CLEAN_ENV, **self.case.get("env", {})),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
        out, err = [], []
        readers = [Stream(p.stdout, t, out), Stream(p.stderr, t, err)]
        for r in readers:
            r.start()
        actions = []
        cancel_at = t + spec["cancelAfter"] if "cancelAfter" in spec else None
        deadline = t + entry["timeout"]
        killed = None
        while p.poll() is None:
            now = time.time()
            if cancel_at and now >= cancel_at:
                cancel_at = None
                pend = [j for j in self.jobs_in_wd_pending()]
                for j in pend:
                    rc, o, e = run(["scancel", str(j)])
                    actions.append({"t": stamp(time.time() - t), "argv": ["scancel", str(j)], "exit": rc,
                                    "stdout": o, "stderr": e})
                    self.log("cancelled waiting job %d" % j)
            if killed is None and now >= deadline:
                killed = "TERM"
                entry["killedAt"] = stamp(now - t)
                os.killpg(p.pid, signal.SIGTERM)
                deadline = now + 10
            elif killed == "TERM" and now >= deadline:
                killed = "KILL"
                os.killpg(p.pid, signal.SIGKILL)
            time.sleep(0.05)
        for r in readers:
            r.join(5)
        entry["exit"] = p.returncode
        entry["seconds"] = stamp(time.time() - t)
        entry["killedBy"] = killed
        entry["actions"] = actions
        entry["_out"], entry["_err"] = out, err

    def jobs_in_wd_pending(self):
        rc, out, _ = run(["squeue", "-h", "-t", "PD", "-o", "%A|%Z"])
        holders = {s["jobId"] for s in self.subs}
        return sorted(int(l.split("|")[0]) for l in out.splitlines()
                      if l.split("|")[-1] == self.wd and int(l.split("|")[0]) not in holders)

    def result(self):
        r = self.base_result()
        cmds = []
        for e in self.cmds:
            out = e.pop("_out")
            err = e.pop("_err")
            so = "".join(text(b) for _, b in out)
            se = "".join(text(b) for _, b in err)
            e.update({
                "stdout": so,
                "stderr": se,
                "stdoutNormalized": normalize(so, self.gmap, self.wd),
                "stderrNormalized": normalize(se, self.gmap, self.wd),
                "stdoutSortedNormalized": sorted(normalize(so, self.gmap, self.wd).splitlines()),
                "stderrTimeline": [[tt, normalize(text(b), self.gmap, self.wd).rstrip("\n")] for tt, b in err],
            })
            for a in e["actions"]:
                a["argvNormalized"] = [normalize(x, self.gmap, self.wd) for x in a["argv"]]
            cmds.append(e)
        r.update({
            "commands": cmds,
            "scontrol": self.scontrol,
            "final": summary(self.recs),
            "sacctCompletion": self.sacct,
            "jobcomp": self.jobcomp,
            "daemonLog": self.logs,
            "files": self.files,
        })
        return r


# ---------------------------------------------------------------- main
def main(argv):
    names = argv
    with open(os.path.join(OUT, "cases.json")) as f:
        cases = json.load(f)
    seen = set()
    for c in cases:
        if c["name"] in seen:
            sys.exit("duplicate case name: " + c["name"])
        seen.add(c["name"])
    if names:
        unknown = set(names) - seen
        if unknown:
            sys.exit("unknown case(s): " + " ".join(sorted(unknown)))
        cases = [c for c in cases if c["name"] in names]
    else:
        for fn in os.listdir(OUT):
            if fn.endswith(".json") and fn != "cases.json":
                os.remove(os.path.join(OUT, fn))

    os.makedirs(BASE, exist_ok=True)
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "slurm-client"],
                             stdout=subprocess.PIPE, text=True).stdout.strip() or "unknown"
    rc, out, _ = run(["srun", "--version"])
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    acct = [l.split("=", 1)[1].strip() for l in open(SLURM_CONF) if l.startswith("AccountingStorageType=")]
    source = ("recorded from real Slurm %s (Debian slurm-wlm %s) by running srun inside batch jobs and directly "
              "on the oracle cluster (/work/shared/slurm-oracle, config %s, %s) with scripts/record-oracle-srun.sh "
              "on %s" % (out.split()[-1] if rc == 0 else "?", version, SLURM_CONF, acct[0] if acct else "?", now))

    POLLER.start()
    objs = [(DirectCase if c.get("kind") == "direct" else BatchCase)(c, source) for c in cases]
    failures = []

    def worker(o):
        try:
            o.execute()
            with open(os.path.join(OUT, o.name + ".json"), "w") as f:
                json.dump(o.result(), f, indent=2, ensure_ascii=False)
                f.write("\n")
        except Exception as e:       # noqa: BLE001 - report and go on with the other cases
            import traceback
            traceback.print_exc()
            failures.append((o.name, repr(e)))

    # lanes: the cases of one "group" (default "h100") run one after another in
    # cases.json order, so they never compete for nodes/GPUs (stable node names and
    # CUDA_VISIBLE_DEVICES); "parallel": true cases (they hold no resources) each
    # get their own thread.
    lanes = {}
    for o in objs:
        key = ("parallel", o.name) if o.case.get("parallel") else ("group", o.case.get("group", "h100"))
        lanes.setdefault(key, []).append(o)

    def lane(members):
        for o in members:
            worker(o)

    threads = [threading.Thread(target=lane, args=(m,)) for m in lanes.values()]
    t0 = time.time()
    try:
        for t in threads:
            t.start()
            time.sleep(0.05)
        for t in threads:
            t.join()
    finally:
        with ALL_LOCK:
            ids = sorted(ALL_IDS)
        if ids:
            rc, out, _ = run(["squeue", "-h", "-t", "PD,R,CG,S", "-j", ",".join(map(str, ids)), "-o", "%A"])
            left = sorted(set(out.split()))
            if left:
                print("cancelling leftovers: %s" % left)
                run(["scancel"] + left)
        POLLER.stopping = True

    print()
    for o in objs:
        st = ", ".join("%s %s %s" % (d["JobId"], d.get("JobState"), d.get("ExitCode")) for d in o.recs)
        extra = ""
        if isinstance(o, DirectCase) and hasattr(o, "cmds"):
            extra = " srun-exit=" + ",".join(str(e.get("exit")) for e in o.cmds)
        elif o.subs and o.subs[0]["jobId"] is None:
            extra = " sbatch rejected (exit %d)" % o.subs[0]["exit"]
        print("%-28s %s%s%s" % (o.name, st, extra, "  (TIMED OUT)" if o.timed_out else ""))
    print("recorded %d case(s) in %.0f s; %d job(s)" % (len(objs) - len(failures), time.time() - t0, len(ALL_IDS)))
    if failures:
        for n, e in failures:
            print("FAILED %s: %s" % (n, e))
        sys.exit(1)


main(sys.argv[1:])
PY
