"""platform_database_backup with two real PostgreSQL 15 servers (the primary's and the DR zone's), moto's S3 and the
test zone's Velero location: rows written on the primary are in the DR server after a dump and a restore, owned
by the database's role; check mode writes nothing; a second restore changes nothing; a tampered dump is refused
before the database is touched; a database the zone lacks is refused."""

import base64
import hashlib
import json
import uuid

import pytest

from harness.addons import play

pytestmark = pytest.mark.controlplane


@pytest.fixture(scope="module")
def dr_server():
    from harness.postgres import PostgresServer
    server = PostgresServer(password="dr-admin-%s" % uuid.uuid4().hex).start()
    yield server
    server.stop()


def _server(pg):
    return {"host": pg.host, "port": pg.port, "admin_password": pg.password, "sslmode": "disable"}


def _task(name, controlplane, pg, action, databases, **kw):
    args = dict(kubeconfig=controlplane.kubeconfig, server=_server(pg), action=action, databases=databases,
                location="primary", wait_timeout=120)
    args.update(kw)
    return {"name": name, "aizone.platform.platform_database_backup": args}


def _rows(pg, db):
    return pg.query("SELECT id, name FROM runs ORDER BY id", dbname=db)


def test_dump_on_the_primary_and_restore_on_the_dr_server(controlplane, velero, store, postgres, dr_server,
                                                          run_playbook):
    s3, bucket, location = store
    rid = uuid.uuid4().hex[:5]
    db, namespace = "dbbk_%s" % rid, "dbbk-%s" % rid
    controlplane.kubectl("create", "namespace", namespace)
    made = run_playbook(play(
        {"name": "location", "aizone.platform.backup_location": dict(zone=controlplane.name, provider="local",
                                                                     locations=[location], wait_timeout=60)},
        *[{"name": "db %d" % i, "aizone.platform.platform_databases": dict(
            kubeconfig=controlplane.kubeconfig, server=_server(pg),
            databases=[{"name": db, "namespace": namespace, "secret": "dbbk-%d" % i}])}
          for i, pg in enumerate((postgres, dr_server))]))
    assert made.rc == 0, made.output[-3000:]
    password = json.loads(controlplane.kubectl("get", "secret", "dbbk-0", "-n", namespace, "-o", "json").stdout)
    owner_password = base64.b64decode(password["data"]["password"]).decode()
    postgres.query("CREATE TABLE runs (id int PRIMARY KEY, name text); INSERT INTO runs VALUES (1, 'a'), (2, 'b')",
                   user=db, password=owner_password, dbname=db)
    try:
        res = run_playbook(play(
            dict(_task("predicted", controlplane, postgres, "dump", [{"name": db}]), check_mode=True),
            _task("dump", controlplane, postgres, "dump", [{"name": db}]),
            dict(_task("restore predicted", controlplane, dr_server, "restore", [{"name": db}]), check_mode=True),
            _task("restore", controlplane, dr_server, "restore", [{"name": db}]),
            _task("again", controlplane, dr_server, "restore", [{"name": db}]),
            dict(_task("missing", controlplane, dr_server, "restore", [{"name": "dbbk_none_%s" % rid}]),
                 ignore_errors=True)), args=("-vvv",))
        assert res.rc == 0, res.output[-4000:]
        assert postgres.password not in res.output and dr_server.password not in res.output
        predicted, dumped = res.task("predicted")["databases"][0], res.task("dump")["databases"][0]
        assert predicted["action"] == "dumped" and "sha256" not in predicted
        assert dumped["key"].startswith("aizone-databases/%s/%s/" % (controlplane.name, db)), dumped
        data = s3.get_object(Bucket=bucket, Key=dumped["key"])["Body"].read()
        assert hashlib.sha256(data).hexdigest() == dumped["sha256"] and len(data) == dumped["bytes"]
        listed = s3.list_objects_v2(Bucket=bucket, Prefix="aizone-databases/%s/%s/" % (controlplane.name, db))
        assert sorted(o["Key"].rsplit("/", 1)[1] for o in listed["Contents"]) == sorted(
            [dumped["key"].rsplit("/", 1)[1], "latest.json"]), listed["Contents"]   # check mode wrote nothing
        assert res.task("restore predicted")["databases"][0]["action"] == "restored"
        assert res.task("restore")["changed"] is True and res.task("again")["changed"] is False
        assert res.task("again")["databases"][0]["action"] == "unchanged"
        assert _rows(dr_server, db) == [(1, "a"), (2, "b")]
        assert dr_server.query("SELECT tableowner FROM pg_tables WHERE tablename = 'runs'", dbname=db) == [(db,)]
        missing = res.task("missing")
        assert missing["failed"] and "does not exist" in missing["msg"] and "platform_databases" in missing["msg"]

        # a newer dump, tampered with in the store: refused before the DR database is touched
        postgres.query("INSERT INTO runs VALUES (3, 'c')", user=db, password=owner_password, dbname=db)
        res = run_playbook(play(_task("dump", controlplane, postgres, "dump", [{"name": db}])))
        assert res.rc == 0, res.output[-3000:]
        newer = res.task("dump")["databases"][0]
        tampered = bytearray(s3.get_object(Bucket=bucket, Key=newer["key"])["Body"].read())
        tampered[len(tampered) // 2] ^= 0xFF
        s3.put_object(Bucket=bucket, Key=newer["key"], Body=bytes(tampered))
        res = run_playbook(play(dict(_task("tampered", controlplane, dr_server, "restore", [{"name": db}]),
                                     ignore_errors=True)))
        assert res.task("tampered")["failed"] and "SHA-256 differs" in res.task("tampered")["msg"]
        assert _rows(dr_server, db) == [(1, "a"), (2, "b")]
    finally:
        for pg in (postgres, dr_server):
            pg.query('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db)
            pg.query('DROP ROLE IF EXISTS "%s"' % db)
        controlplane.kubectl("delete", "namespace", namespace, "--wait=false", check=False)
