"""platform_databases input checks: every refusal names its option path, before any I/O."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.mlops.db_spec import normalize, secret_name


def params(databases=None, **server):
    base = {"host": "db.internal", "port": 5432, "admin_user": "postgres", "admin_password": "pw",
            "admin_password_secret": None, "maintenance_db": "postgres", "sslmode": "prefer", "connect_timeout": 10,
            "service_host": None, "service_port": None}
    base.update(server)
    return {"server": base, "databases": databases or [{"name": "mlflow", "namespace": "mlops"}],
            "password_length": 32}


def test_defaults_owner_secret_and_service_address():
    server, dbs = normalize(params([{"name": "mlflow_auth", "namespace": "mlops"}], host="10.0.0.5"))
    assert dbs == [{"name": "mlflow_auth", "namespace": "mlops", "owner": "mlflow_auth",
                    "secret": "mlflow-auth-postgres", "state": "present"}]
    assert (server["service_host"], server["service_port"]) == ("10.0.0.5", 5432)
    assert secret_name("data_integration") == "data-integration-postgres"
    assert normalize(params(host="::1"))[0]["host"] == "::1"


@pytest.mark.parametrize("databases,server,field", [
    ([{"name": "ML", "namespace": "a"}], {}, "databases[0].name"),
    ([{"name": "template1", "namespace": "a"}], {}, "databases[0].name"),
    ([{"name": "x" * 64, "namespace": "a"}], {}, "databases[0].name"),
    ([{"name": "a", "namespace": "a", "owner": "pg_read"}], {}, "databases[0].owner"),
    ([{"name": "a", "namespace": "a"}, {"name": "b", "namespace": "a", "owner": "a"}], {}, "databases[1].owner"),
    ([{"name": "a", "namespace": "a", "state": "gone"}], {}, "databases[0].state"),
    ([{"name": "a", "namespace": "a", "secret": "a_b"}], {}, "databases[0].secret"),
    ([{"name": "a", "namespace": "a.b"}], {}, "databases[0].namespace"),
    (None, {"admin_password": None}, "server.admin_password"),
    (None, {"admin_password_secret": {"namespace": "Bad", "name": "s", "key": "password"}}, "server.admin_password"),
    (None, {"admin_password": None, "admin_password_secret": {"namespace": "Bad", "name": "s", "key": "password"}},
     "server.admin_password_secret.namespace"),
    (None, {"host": "db internal"}, "server.host"),
    (None, {"port": 0}, "server.port"),
    (None, {"service_port": 99999}, "server.service_port"),
    (None, {"service_host": "a/b"}, "server.service_host"),
    (None, {"sslmode": "always"}, "server.sslmode"),
])
def test_refusals_name_the_option(databases, server, field):
    with pytest.raises(ValidationError) as err:
        normalize(params(databases, **server))
    assert err.value.field == field, err.value.msg


def test_password_length_bounds():
    with pytest.raises(ValidationError) as err:
        normalize(dict(params(), password_length=8))
    assert err.value.field == "password_length" and ">= 16" in err.value.msg
