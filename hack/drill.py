#!/usr/bin/env python
"""`make drill`: a DR drill on one machine, with two local zones and a loopback S3 store.

1. moto's S3 server on loopback, and a bucket;
2. an inventory of two zones: the primary, the demo's layers (inventories/local) with a DR policy naming the
   other zone; the DR zone, nothing but its name;
3. site.yml on the primary: every layer, the dr layer last (Velero, the ReadWrite location, one schedule per
   tenant); the primary's objects counted per kind in its tenants' namespaces;
4. rows written into a platform database (as its owner), then a backup of every tenant and a dump of every
   platform database now; the DR zone stands by as the policy says (pilot-light: playbooks/foundation.yml
   makes the zone and the primary's pools at 0 nodes); then the disaster: the primary zone is deleted;
5. playbooks/failover.yml (confirmed): the DR zone gets the primary's pools at full size, tenants and add-ons,
   its platform databases with the dumps' data, Velero restores each tenant's newest backup, every workload runs
   on its pool; RPO and RTO against the policy;
6. the DR zone's objects counted the same way, its databases' tables and rows, a pod over a tenant's quota
   refused, and a table printed.

Usage: .venv/bin/python hack/drill.py [--keep] [--failback] [--workdir DIR] [--primary NAME] [--dr NAME]
(--failback: then playbooks/failback.yml back to the primary, and its objects counted again)
Prints the table and a JSON summary last; exits 1 when the drill fails.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".venv", "bin")
#: what Velero documents it never restores, and what a zone's own controllers make again on their own
NOT_COMPARED = ("events", "events.events.k8s.io", "endpoints", "endpointslices.discovery.k8s.io",
                "controllerrevisions.apps", "leases.coordination.k8s.io")
POLICY = {"approach": "pilot-light", "rpo_minutes": 60, "rto_minutes": 30}
POOL_LABEL = "aizone.io/node-pool"


def _env():
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
               ANSIBLE_PYTHON_INTERPRETER=os.path.join(BIN, "python"), PATH=BIN + os.pathsep + os.environ["PATH"],
               ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_FORCE_COLOR="0")
    env.pop("AIZONE_DEMO_KUBECONFIG", None)
    return env


def playbook(inventory, name, *args):
    """Run playbooks/<name>; (rc, seconds, output)."""
    started = time.monotonic()
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", inventory,
                           os.path.join(ROOT, "playbooks", name)] + list(args),
                          env=_env(), cwd=ROOT, capture_output=True, text=True, check=False)
    return proc.returncode, time.monotonic() - started, proc.stdout + proc.stderr


def inventory(workdir, primary, dr, store):
    """The drill's inventory: inventories/local with the primary renamed and a DR policy, plus the DR zone."""
    path = os.path.join(workdir, "inventory")
    shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "inventories", "local"), path)
    with open(os.path.join(path, "host_vars", "aizone-local.yml")) as handle:
        host = yaml.safe_load(handle)
    os.unlink(os.path.join(path, "host_vars", "aizone-local.yml"))
    host["aizone_zone"]["name"] = primary
    host.pop("aizone_cost_report", None)
    host.update(aizone_kubeconfig=os.path.join(workdir, primary + ".kubeconfig"),
                aizone_dr_policy=dict(POLICY, dr_zone=dr))
    hosts = {"all": {"children": {"local": {"hosts": {primary: None, dr: None}}},
                     "vars": {"aizone_dr_store": store, "aizone_dr_sync_period": "10s"}}}
    files = {"hosts.yml": hosts, "host_vars/%s.yml" % primary: host,
             "host_vars/%s.yml" % dr: {"aizone_zone": {"name": dr, "provider": "local"},
                                       "aizone_kubeconfig": os.path.join(workdir, dr + ".kubeconfig")}}
    for name, content in files.items():
        with open(os.path.join(path, name), "w") as handle:
            yaml.safe_dump(content, handle, sort_keys=False)
    return path, host


def kubectl(kubeconfig, *args, check=True):
    cmd = [os.path.join(os.environ["AIZONE_CONTROLPLANE_BIN"], "kubectl"), "--kubeconfig", kubeconfig] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, check=check).stdout


def finished(item):
    """A pod or job that ran to its end: Velero's restore skips them (restore.go isCompleted)."""
    status = item.get("status") or {}
    return (item["kind"] == "Pod" and status.get("phase") in ("Succeeded", "Failed")) or \
        (item["kind"] == "Job" and bool(status.get("completionTime")))


def count(kubeconfig, namespaces):
    """{kind: objects} in the namespaces (every namespaced kind the zone lists, but NOT_COMPARED), and the
    namespaces themselves."""
    kinds = [k for k in kubectl(kubeconfig, "api-resources", "--verbs=list", "--namespaced", "-o", "name").split()
             if k not in NOT_COMPARED]
    present = [n for n in namespaces if kubectl(kubeconfig, "get", "namespace", n, "-o", "name", check=False).strip()]
    out = {"namespaces": len(present)}
    for namespace in namespaces:
        items = json.loads(kubectl(kubeconfig, "get", ",".join(kinds), "-n", namespace, "-o", "json",
                                   check=False) or '{"items": []}')["items"]
        for item in items:
            kind = item["kind"]
            if finished(item):
                kind = "%s (finished: Velero skips it)" % kind
            elif kind == "ReplicaSet" and not (item.get("spec") or {}).get("replicas"):
                kind = "ReplicaSet (0 replicas: superseded)"   # rollout history; an operator's re-render adds some
            out[kind] = out.get(kind, 0) + 1
    return out


def pool_nodes(kubeconfig):
    """{pool: nodes} of a local zone: its pools' records (kube-system ConfigMaps labelled with the pool) and the
    nodes labelled with each."""
    pools = dict((cm["metadata"]["labels"][POOL_LABEL], 0) for cm in json.loads(kubectl(
        kubeconfig, "get", "configmaps", "-n", "kube-system", "-l", POOL_LABEL, "-o", "json"))["items"])
    for node in json.loads(kubectl(kubeconfig, "get", "nodes", "-l", POOL_LABEL, "-o", "json"))["items"]:
        pool = node["metadata"]["labels"][POOL_LABEL]
        pools[pool] = pools.get(pool, 0) + 1
    return pools


def _database(kubeconfig, name):
    """An admin connection to a platform database of a local zone (its server's admin Secret)."""
    import base64
    import psycopg2
    secret = json.loads(kubectl(kubeconfig, "get", "secret", "platform-db-admin", "-n", "aizone-system", "-o", "json"))
    data = dict((k, base64.b64decode(v).decode()) for k, v in secret["data"].items())
    conn = psycopg2.connect(host=data["host"], port=int(data["port"]), user=data["username"],
                            password=data["password"], dbname=name)
    conn.autocommit = True
    return conn


def seed(kubeconfig, name, rows=25):
    """Rows in a platform database, written as its owner: the state Velero never sees (KWOK runs no MLflow pod to
    write its own)."""
    conn = _database(kubeconfig, name)
    try:
        cur = conn.cursor()
        cur.execute('SET ROLE "%s"' % name)
        cur.execute("CREATE TABLE IF NOT EXISTS drill_runs (id int PRIMARY KEY, metric double precision)")
        cur.execute("INSERT INTO drill_runs SELECT i, i * 0.5 FROM generate_series(1, %s) i ON CONFLICT DO NOTHING",
                    (rows,))
    finally:
        conn.close()


def database_rows(kubeconfig, names):
    """{database: {table (owner): rows}} of a local zone's platform databases."""
    out = {}
    for name in names:
        conn = _database(kubeconfig, name)
        try:
            cur = conn.cursor()
            cur.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            tables = cur.fetchall()
            out[name] = {}
            for table, owner in tables:
                cur.execute('SELECT count(*) FROM "%s"' % table)
                out[name]["%s (%s)" % (table, owner)] = cur.fetchone()[0]
        finally:
            conn.close()
    return out


def over_quota(kubeconfig, namespace):
    """The API server's answer to a pod asking more CPU than the tenant's quota allows ('' when it was created)."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "drill-over-quota", "namespace": namespace},
           "spec": {"securityContext": {"runAsNonRoot": True, "runAsUser": 1000,
                                        "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{"name": "c", "image": "busybox",
                                    "securityContext": {"allowPrivilegeEscalation": False,
                                                        "capabilities": {"drop": ["ALL"]}},
                                    "resources": {"requests": {"cpu": "100000", "memory": "1Gi"},
                                                  "limits": {"cpu": "100000", "memory": "1Gi"}}}]}}
    proc = subprocess.run([os.path.join(os.environ["AIZONE_CONTROLPLANE_BIN"], "kubectl"), "--kubeconfig", kubeconfig,
                           "create", "-f", "-"], input=json.dumps(pod), capture_output=True, text=True, check=False)
    return "" if proc.returncode == 0 else proc.stderr.strip()


def _delete_zone(name):
    subprocess.run([os.path.join(BIN, "python"), os.path.join(ROOT, "hack", "localzone.py"), "delete", name],
                   check=False, capture_output=True, env=_env())


def _report_line(output):
    lines = [line for line in output.splitlines() if "RPO" in line and "RTO" in line]
    return lines[-1].strip().strip('",') if lines else None


def _step(summary, title, inv, name, *args):
    """Run a playbook as a step of the drill: (rc, output)."""
    rc, seconds, out = playbook(inv, name, *args)
    summary["steps"][title] = round(seconds, 1)
    return rc, out


def _move(summary, direction, inv, primary):
    """failover.yml or failback.yml on the primary's name, confirmed; True when it passed."""
    name, option = {"failover": ("failover.yml", "aizone_failover_from"),
                    "failback": ("failback.yml", "aizone_failback_to")}[direction]
    rc, out = _step(summary, direction, inv, name, "-e", "%s=%s" % (option, primary),
                    "-e", "%s_confirm=%s" % (option.rsplit("_", 1)[0], primary))
    summary.update({direction + "_rc": rc, direction + "_report": _report_line(out)})
    if rc:
        summary[direction + "_output"] = out[-6000:]
    return rc == 0


def drill(workdir, primary, dr, s3_url, bucket, log=print, failback=False):
    """Run the drill; its summary (a dict). The zones are left for the caller to delete."""
    store = {"bucket": bucket, "s3_url": s3_url,
             "credentials": {"access_key_id": "AKIAAIZONEDRILL", "secret_access_key": "drill-%d" % os.getpid()}}
    inv, host = inventory(workdir, primary, dr, store)
    tenants = [t["name"] for t in host.get("aizone_tenants") or []]
    summary = {"primary": primary, "dr": dr, "tenants": tenants, "steps": {}}
    for zone in (primary, dr):
        _delete_zone(zone)
    databases = [d["name"] for d in host.get("aizone_platform_databases") or []]
    for title, name, args in (("converge the primary (site.yml)", "site.yml", ()),
                              ("back up every tenant, dump the databases", "dr.yml",
                               ("-e", "aizone_dr_backup_now=true"))):
        if name == "dr.yml" and databases:
            seed(host["aizone_kubeconfig"], databases[0])
        rc, out = _step(summary, title, inv, name, "--limit", primary, *args)
        if rc:
            raise RuntimeError("%s on %s failed:\n%s" % (title, primary, out[-4000:]))
        log("[drill] %s: %.0f s" % (title, summary["steps"][title]))
    summary["databases_before"] = database_rows(host["aizone_kubeconfig"], databases)
    summary["before"] = count(host["aizone_kubeconfig"], tenants)     # what the backups hold (the tests: equal)
    summary["pools_primary"] = pool_nodes(host["aizone_kubeconfig"])
    dr_kubeconfig = os.path.join(workdir, dr + ".kubeconfig")
    title = "the DR zone stands by (foundation.yml, %s)" % POLICY["approach"]
    rc, out = _step(summary, title, inv, "foundation.yml", "--limit", dr)
    if rc:
        raise RuntimeError("%s failed:\n%s" % (title, out[-4000:]))
    summary["pools_standby"] = pool_nodes(dr_kubeconfig)
    log("[drill] %s: %.0f s, nodes per pool %s" % (title, summary["steps"][title], summary["pools_standby"]))
    log("[drill] the disaster: %s is deleted" % primary)
    _delete_zone(primary)
    if not _move(summary, "failover", inv, primary):
        return summary
    summary.update(after=count(dr_kubeconfig, tenants), quota=over_quota(dr_kubeconfig, tenants[0]) if tenants else None,
                   pools_after=pool_nodes(dr_kubeconfig), databases_after=database_rows(dr_kubeconfig, databases))
    if failback:
        log("[drill] failed over in %.0f s; failing back to %s" % (summary["steps"]["failover"], primary))
        if _move(summary, "failback", inv, primary):
            summary["back"] = count(host["aizone_kubeconfig"], tenants)
            summary["databases_back"] = database_rows(host["aizone_kubeconfig"], databases)
    return summary


def compared(counts):
    """The counts that must be equal: all but the kinds marked with why they may differ."""
    return dict((kind, n) for kind, n in counts.items() if "(" not in kind)


def table(summary):
    kinds = sorted(set(summary["before"]) | set(summary["after"]))
    rows = ["%-40s %8s %8s" % ("kind (tenants' namespaces)", "primary", "DR zone")]
    for kind in kinds:
        before, after = summary["before"].get(kind, 0), summary["after"].get(kind, 0)
        mark = "" if before == after else ("   <- differs" if "(" not in kind else "   (expected)")
        rows.append("%-40s %8d %8d%s" % (kind, before, after, mark))
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--primary", default="aizone-drill-primary")
    parser.add_argument("--dr", default="aizone-drill-dr")
    parser.add_argument("--workdir")
    parser.add_argument("--keep", action="store_true", help="leave the DR zone running")
    parser.add_argument("--failback", action="store_true", help="then fail back to the primary (failback.yml)")
    args = parser.parse_args()
    import logging
    from moto.server import ThreadedMotoServer
    import boto3
    logging.getLogger("werkzeug").setLevel(logging.ERROR)   # moto's server logs every request
    workdir = args.workdir or tempfile.mkdtemp(prefix="aizone-drill-")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    s3_url = "http://%s:%d" % server.get_host_and_port()
    bucket = "aizone-drill"
    boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1", aws_access_key_id="drill",
                 aws_secret_access_key="drill").create_bucket(Bucket=bucket)
    try:
        summary = drill(workdir, args.primary, args.dr, s3_url, bucket, failback=args.failback)
    finally:
        if not args.keep:
            _delete_zone(args.dr)
        _delete_zone(args.primary)
        server.stop()
    if summary.get("failover_rc"):
        print(summary.get("failover_output", ""))
    else:
        print(table(summary))
        print("over-quota pod in %s: %s" % (summary["tenants"][0], summary["quota"] or "CREATED (quota not enforced)"))
        print("nodes per pool: primary %s; DR zone on standby %s, after the failover %s" % (
            summary["pools_primary"], summary["pools_standby"], summary["pools_after"]))
        print("platform databases' tables (rows): primary %s; DR zone %s" % (
            dict((d, t) for d, t in summary["databases_before"].items() if t),
            dict((d, t) for d, t in summary["databases_after"].items() if t)))
    print("failover: %s" % summary.get("failover_report"))
    if args.failback:
        print(summary.get("failback_output") or "failback: %s; objects back on the primary: %s; databases: %s" % (
            summary.get("failback_report"), "equal" if compared(summary.get("back", {})) == compared(summary["before"])
            else summary.get("back"), "equal" if summary.get("databases_back") == summary["databases_before"]
            else summary.get("databases_back")))
    print(json.dumps(dict((k, v) for k, v in summary.items() if not k.endswith("_output")), sort_keys=True))
    ok = not summary.get("failover_rc") and compared(summary["before"]) == compared(summary["after"]) and \
        summary["databases_before"] == summary["databases_after"] and \
        "exceeded quota" in (summary["quota"] or "") and not summary.get("failback_rc")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
