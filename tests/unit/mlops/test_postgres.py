"""Which PostgreSQL errors are retried, and a connection retried until the server answers."""

import psycopg2
import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.mlops import postgres
from ansible_collections.aizone.platform.plugins.module_utils.providers.local_processes import free_port


class Coded(psycopg2.OperationalError):
    def __init__(self, msg, code):
        super(Coded, self).__init__(msg)
        self._code = code

    @property
    def pgcode(self):
        return self._code


@pytest.mark.parametrize("exc,transient", [
    (psycopg2.OperationalError('connection to server at "10.0.0.5", port 5432 failed: Connection refused'), True),
    (psycopg2.OperationalError("timeout expired"), True),
    (psycopg2.OperationalError("FATAL:  the database system is starting up"), True),
    (Coded("sorry, too many clients already", "53300"), True),
    (Coded("could not serialize access", "40001"), True),
    (psycopg2.OperationalError('FATAL:  password authentication failed for user "mlflow"'), False),
    (Coded("permission denied for database", "42501"), False),
    (ValueError("not a database error"), False),
])
def test_transient_classification(exc, transient):
    assert postgres.is_transient(exc) is transient


def test_connect_retries_a_refused_connection_then_names_the_server():
    port = free_port()
    server = {"host": "127.0.0.1", "port": port, "sslmode": "disable", "connect_timeout": 2}
    sleeps = []
    with pytest.raises(AizoneError) as err:
        postgres.connect(server, "postgres", "pw", "postgres", deadline=3.0, sleep=sleeps.append)
    assert len(sleeps) >= 2, sleeps  # refused: retried with backoff
    assert ("PostgreSQL postgres@127.0.0.1:%d/postgres: cannot connect" % port) in err.value.msg
