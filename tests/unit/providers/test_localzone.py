import os

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import BIN_ENV, LocalControlPlane


def test_missing_binaries_dir_says_how_to_get_it(monkeypatch):
    monkeypatch.delenv(BIN_ENV, raising=False)
    with pytest.raises(AizoneError) as err:
        LocalControlPlane("z")
    assert BIN_ENV in err.value.msg and "build.sh" in err.value.msg


def test_incomplete_binaries_dir_names_what_is_missing(tmp_path):
    for b in ("etcd", "kube-apiserver"):
        p = tmp_path / b
        p.write_text("#!/bin/sh\n")
        os.chmod(str(p), 0o755)
    with pytest.raises(AizoneError) as err:
        LocalControlPlane("z", bin_dir=str(tmp_path))
    assert "kube-scheduler" in err.value.msg and "kwokctl" in err.value.msg and "etcd," not in err.value.msg
