#!/usr/bin/env bash
# scripts/record-oracle.sh [case-name...]
#
# Record, from REAL Slurm 22.05 (the oracle in /work/shared/slurm-oracle), how
# sbatch parses each case of fixtures/oracle/cases.json, so flow-slurm's parser
# can be tested without Slurm.  See fixtures/oracle/README.md for the format.
#
# For every case (or only the named ones):
#   1. /tmp/flow-oracle/work is recreated empty and the case's script is copied
#      into it under its base name (so Command=/tmp/flow-oracle/work/<basename>);
#   2. one held parent job is submitted per {DEPn} placeholder and substituted;
#   3. sbatch <prefix> <args> [<script>] <scriptArgs> runs in that directory with
#      a clean environment (PATH=/usr/bin:/bin HOME USER=root SLURM_CONF + case env);
#      prefix defaults to --parsable --hold;
#   4. scontrol show job -o, the job's squeue --json records, the stored batch
#      script (scontrol write batch_script) and the environment sbatch sent
#      (slurmctld's saved copy) are captured, and the same submission is run
#      once more as sbatch --test-only (held jobs skip the feasibility check);
#   5. the job and its parents are scancel'ed (a final sweep cancels anything
#      left over);
#   6. fixtures/oracle/parse/<name>.json (or errors/<name>.json when the case
#      has "expectError": true) is written.
# A full run (no names) first deletes parse/*.json and errors/*.json.
# Needs the oracle running: /work/shared/slurm-oracle/start.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/slurm-oracle}
# shellcheck disable=SC1091
. "$ORACLE_DIR/env.sh"        # exports SLURM_CONF=/etc/slurm-oracle/slurm.conf

if ! env -i PATH=/usr/bin:/bin SLURM_CONF="$SLURM_CONF" sinfo -h >/dev/null 2>&1; then
  echo "record-oracle: the oracle Slurm does not answer (sinfo failed)." >&2
  echo "record-oracle: start it with $ORACLE_DIR/start.sh (as root), then re-run." >&2
  exit 1
fi

export ROOT SLURM_CONF
exec /usr/bin/python3 - "$@" <<'PY'
import datetime, json, os, re, shutil, subprocess, sys

ROOT = os.environ["ROOT"]
SLURM_CONF = os.environ["SLURM_CONF"]
SCRIPTS = os.path.join(ROOT, "fixtures/scripts")
ORACLE = os.path.join(ROOT, "fixtures/oracle")
BASE = "/tmp/flow-oracle"
WORK = BASE + "/work"
DEFAULT_PREFIX = ["--parsable", "--hold"]
PLACEHOLDER = re.compile(r"\{(DEP[0-9]+)\}")

# The only environment sbatch/scontrol/squeue/scancel ever see (+ the case's "env").
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/root", "USER": "root", "SLURM_CONF": SLURM_CONF}


def run(argv, cwd=BASE, env=None, stdin=None, timeout=120):
    """Run a Slurm command; returns (exit, stdout bytes, stderr bytes)."""
    p = subprocess.run(argv, cwd=cwd, env=env or CLEAN_ENV, timeout=timeout,
                       input=stdin if stdin is not None else b"",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def text(b):
    return b.decode("utf-8", errors="backslashreplace")


def slurm_conf_value(key):
    for line in open(SLURM_CONF):
        m = re.match(r"\s*%s\s*=\s*(\S+)" % re.escape(key), line, re.I)
        if m:
            return m.group(1)
    return None


STATE_DIR = slurm_conf_value("StateSaveLocation")


def stored_environment(job_id):
    """The environment sbatch sent, as slurmctld stored it (uint32 count + NUL-terminated strings)."""
    path = "%s/hash.%d/job.%d/environment" % (STATE_DIR, job_id % 10, job_id)
    try:
        data = open(path, "rb").read()
    except OSError:
        return None
    count = int.from_bytes(data[:4], "little")
    items = [text(s) for s in data[4:].split(b"\0")[:count]]
    return items


def squeue_records(job_id):
    rc, out, _ = run(["squeue", "--json"])
    if rc != 0:
        return None
    jobs = json.loads(out).get("jobs", [])
    return [j for j in jobs
            if job_id in (j.get("job_id"), j.get("array_job_id"), j.get("het_job_id"))]


def jobs_in(cwd):
    """Ids of all jobs slurmctld still knows whose working directory is cwd."""
    rc, out, _ = run(["squeue", "--json"])
    if rc != 0:
        return []
    return [j["job_id"] for j in json.loads(out).get("jobs", [])
            if j.get("current_working_directory") == cwd]


def parse_job_id(stdout, stderr):
    out = text(stdout)
    m = re.match(r"\s*([0-9]+)(;\S+)?\s*$", out)                       # --parsable
    m = m or re.search(r"Submitted batch job ([0-9]+)", out)
    return int(m.group(1)) if m else None


def submit_parent(extra):
    argv = ["sbatch", "--parsable", "--hold", "--wrap=true", "-o", "/dev/null"] + extra
    rc, out, err = run(argv)
    jid = parse_job_id(out, err)
    if rc != 0 or jid is None:
        raise RuntimeError("parent submission failed: %s: %s" % (argv, text(err)))
    return jid


def substitute(value, deps):
    return PLACEHOLDER.sub(lambda m: str(deps[m.group(1)]), value)


def record(case, source):
    name = case["name"]
    if os.path.isdir(WORK):
        shutil.rmtree(WORK)
    os.makedirs(WORK)

    script = case.get("script")
    content = None
    if script is not None:
        with open(os.path.join(SCRIPTS, script), "rb") as f:
            content = f.read()
    stdin_mode = bool(case.get("stdin"))
    script_path = case.get("scriptPath")          # explicit path argument (e.g. /dev/stdin)
    if script is not None and not stdin_mode:
        base = os.path.basename(script)
        with open(os.path.join(WORK, base), "wb") as f:
            f.write(content)
        if script_path is None:
            script_path = base                    # relative, as a user would type it

    # dependency parents, one per placeholder
    deps = {}
    texts = list(case.get("args", [])) + list(case.get("scriptArgs", [])) + list(case.get("env", {}).values())
    for t in texts:
        for ph in PLACEHOLDER.findall(t):
            if ph not in deps:
                deps[ph] = submit_parent(case.get("parentArgs", {}).get(ph, []))

    args = [substitute(a, deps) for a in case.get("args", [])]
    sargs = [substitute(a, deps) for a in case.get("scriptArgs", [])]
    argv = ["sbatch"] + case.get("prefix", DEFAULT_PREFIX) + args
    if script_path is not None:
        argv.append(script_path)
    argv += sargs

    env = dict(CLEAN_ENV)
    env.update({k: substitute(v, deps) for k, v in case.get("env", {}).items()})
    # -Q/--quiet prints no job id: find the new job by its working directory instead
    quiet = any(a in ("-Q", "--quiet") for a in argv)
    before = set(jobs_in(WORK)) if quiet else set()
    rc, out, err = run(argv, cwd=WORK, env=env, stdin=content if stdin_mode else None)

    job_id = parse_job_id(out, err) if rc == 0 else None
    if rc == 0 and job_id is None and quiet:
        new = sorted(set(jobs_in(WORK)) - before)
        job_id = new[-1] if new else None
    result = {
        "source": source,
        "case": case,
        "argv": argv,
        "cwd": WORK,
        "jobId": job_id,
        "submitTime": None,
        "deps": deps,
        "exit": rc,
        "stdout": text(out),
        "stderr": text(err),
        "scontrol": [],
        "squeueJson": [],
        "batchScript": None,
        "jobEnv": None,
        "testOnly": None,
    }
    if job_id is not None:
        src, sout, serr = run(["scontrol", "show", "job", "-o", str(job_id)])
        result["scontrol"] = [l for l in text(sout).split("\n") if l.strip()]
        if src != 0:
            result["scontrolError"] = text(serr)
        recs = squeue_records(job_id) or []
        result["squeueJson"] = recs
        for r in recs:
            if r.get("job_id") == job_id:
                result["submitTime"] = r.get("submit_time")
        brc, bout, _ = run(["scontrol", "write", "batch_script", str(job_id), "-"])
        result["batchScript"] = text(bout) if brc == 0 else None
        result["jobEnv"] = stored_environment(job_id)
        # would the controller accept it without --hold? (held jobs skip the node-feasibility test)
        t_argv = ["sbatch", "--test-only"] + argv[1 + len(case.get("prefix", DEFAULT_PREFIX)):]
        trc, tout, terr = run(t_argv, cwd=WORK, env=env, stdin=content if stdin_mode else None)
        result["testOnly"] = {"argv": t_argv, "exit": trc, "stdout": text(tout), "stderr": text(terr)}
        run(["scancel", str(job_id)])
    for jid in deps.values():
        run(["scancel", str(jid)])

    sub = "errors" if case.get("expectError") else "parse"
    os.makedirs(os.path.join(ORACLE, sub), exist_ok=True)
    with open(os.path.join(ORACLE, sub, name + ".json"), "w") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
        f.write("\n")

    created = ([job_id] if job_id else []) + list(deps.values())
    ok = (rc != 0) == bool(case.get("expectError"))
    print("%-36s exit=%-3d job=%-6s %s%s" % (name, rc, job_id if job_id else "-",
          sub, "" if ok else "   <-- exit status does not match expectError"))
    if not ok:
        first = text(err).strip().splitlines()
        if first:
            print("    stderr: " + first[0])
    return created


def main(names):
    with open(os.path.join(ORACLE, "cases.json")) as f:
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
        for sub in ("parse", "errors"):
            d = os.path.join(ORACLE, sub)
            if os.path.isdir(d):
                for fn in os.listdir(d):
                    if fn.endswith(".json"):
                        os.remove(os.path.join(d, fn))

    os.makedirs(BASE, exist_ok=True)
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "slurm-client"],
                             stdout=subprocess.PIPE, text=True).stdout.strip() or "unknown"
    rc, out, _ = run(["sbatch", "--version"])
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    source = ("recorded from real Slurm %s (Debian %s) by scripts/record-oracle.sh on %s; "
              "oracle config %s (%s)"
              % (text(out).split()[-1] if rc == 0 else "?", "slurm-wlm " + version, now, SLURM_CONF,
                 slurm_conf_value("AccountingStorageType")))

    # the cluster description our tests use
    with open(SLURM_CONF) as f:
        conf = f.read()
    with open(os.path.join(ORACLE, "slurm.conf"), "w") as f:
        f.write("# Copied from %s (generated by /work/shared/slurm-oracle/install.sh) by "
                "scripts/record-oracle.sh on %s\n" % (SLURM_CONF, now))
        f.write(conf)

    created = []
    try:
        for c in cases:
            created += record(c, source)
    finally:
        # safety net: nothing we submitted may stay in the queue
        leftovers = []
        rc, out, _ = run(["squeue", "--json"])
        if rc == 0:
            ids = set(created)
            for j in json.loads(out).get("jobs", []):
                if (j.get("job_id") in ids or j.get("array_job_id") in ids or j.get("het_job_id") in ids) \
                        and j.get("job_state") not in ("CANCELLED", "COMPLETED", "FAILED"):
                    leftovers.append(j["job_id"])
        if leftovers:
            print("cancelling leftovers: %s" % leftovers)
            run(["scancel"] + [str(j) for j in leftovers])
    print("recorded %d case(s); %d job(s) created and cancelled" % (len(cases), len(created)))


main(sys.argv[1:])
PY
