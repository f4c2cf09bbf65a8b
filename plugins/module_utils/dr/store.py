# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A backup storage location's object store as the modules read it, with the location's own settings and
credentials: what Velero wrote there, read without Velero (offline verification, restore predictions).

Object layout (Velero's): <prefix>/backups/<name>/velero-backup.json, <name>.tar.gz (one JSON file per
object under resources/), <name>-resource-list.json.gz. Reads are retried by botocore (standard mode: 429,
5xx and dropped connections, with backoff), bounded by the task's wait (retry.time_left).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import configparser
import gzip
import io
import json
import tarfile
import zlib

from ansible_collections.aizone.platform.plugins.module_utils.dr.locations import BSL
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.secrets import decoded, secret_path
from ansible_collections.aizone.platform.plugins.module_utils.retry import time_left


def _credentials(rest, location, namespace):
    """{aws_access_key_id, aws_secret_access_key} of the location's credential Secret, or {} (ambient identity)."""
    ref = location["spec"].get("credential")
    if not ref:
        return {}
    data = decoded(rest.get_or_none(secret_path(namespace, ref["name"])) or {})
    if ref["key"] not in data:
        raise AizoneError("backup storage location %s: its credential Secret %s/%s has no key %r"
                          % (location["metadata"]["name"], namespace, ref["name"], ref["key"]))
    parser = configparser.ConfigParser()
    parser.read_string(data[ref["key"]])
    section = parser[parser.sections()[0]] if parser.sections() else {}
    return dict((k, section.get(k)) for k in ("aws_access_key_id", "aws_secret_access_key") if section.get(k))


class Store(object):
    """The object store of one BackupStorageLocation."""

    def __init__(self, rest, namespace, name):
        self.location = rest.get_or_none(BSL.object_path(name, namespace))
        if self.location is None:
            raise AizoneError("backup storage location %s does not exist in %s" % (name, namespace))
        spec = self.location["spec"]
        self.name, self.bucket = name, spec["objectStorage"]["bucket"]
        self.prefix = (spec["objectStorage"].get("prefix") or "").strip("/")
        config = spec.get("config") or {}
        self._client = self._connect(config, _credentials(rest, self.location, namespace))

    @staticmethod
    def _connect(config, credentials):
        import boto3
        from botocore.config import Config
        timeout = max(1.0, min(60.0, time_left() or 60.0))
        settings = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=10, read_timeout=timeout,
                          s3={"addressing_style": "path" if config.get("s3ForcePathStyle") == "true" else "auto"})
        return boto3.client("s3", endpoint_url=config.get("s3Url") or None, region_name=config.get("region"),
                            verify=config.get("insecureSkipTLSVerify") != "true", config=settings, **credentials)

    def key(self, backup, suffix):
        base = "backups/%s/%s" % (backup, suffix)
        return "%s/%s" % (self.prefix, base) if self.prefix else base

    def read(self, backup, suffix):
        """The bytes of one object of a backup, or None when the store has no such object."""
        return self.read_key("backups/%s/%s" % (backup, suffix))

    def read_key(self, relative):
        """The bytes of the object at relative (to the location's prefix), or None when the store has none."""
        return self.get("%s/%s" % (self.prefix, relative) if self.prefix else relative)

    def put(self, key, data):
        """Write the object at key (from the bucket's root), bytes or a file opened for reading; only through a
        ReadWrite location."""
        from botocore.exceptions import BotoCoreError, ClientError
        if self.location["spec"].get("accessMode", "ReadWrite") != "ReadWrite":
            raise AizoneError("backup storage location %s is ReadOnly: write through the zone's ReadWrite location"
                              % self.name, field="location")
        try:
            self._client.put_object(Bucket=self.bucket, Key=key, Body=data)
        except (ClientError, BotoCoreError) as exc:
            raise AizoneError("backup storage location %s: cannot write %s to bucket %s: %s"
                              % (self.name, key, self.bucket, exc))

    def get(self, key):
        """The bytes of the object at key (from the bucket's root), or None when the store has none."""
        return self._fetch(key, lambda body: body.read())

    def download(self, key, path):
        """Write the object at key into the file path, in chunks; False when the store has none."""
        def write(body):
            with open(path, "wb") as handle:
                for chunk in body.iter_chunks(1 << 20):
                    handle.write(chunk)
            return True
        return bool(self._fetch(key, write))

    def _fetch(self, key, consume):
        from botocore.exceptions import BotoCoreError, ClientError
        try:
            return consume(self._client.get_object(Bucket=self.bucket, Key=key)["Body"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise AizoneError("backup storage location %s: cannot read %s from bucket %s: %s"
                              % (self.name, key, self.bucket, exc))
        except BotoCoreError as exc:
            raise AizoneError("backup storage location %s: cannot reach its store: %s" % (self.name, exc))


def resource_list(raw):
    """{"apiVersion/Kind": set of "namespace/name" or "name"} of a backup's -resource-list.json.gz."""
    listed = json.loads(gzip.decompress(raw).decode("utf-8"))
    return dict((kind, set(items)) for kind, items in listed.items())


def tarball_objects(raw):
    """{"apiVersion/Kind": {"namespace/name" or "name": object}} of a backup tarball; raises ValueError (naming the
    entry) when the archive or one of its objects cannot be read."""
    objects = {}
    try:
        # the whole stream first: gzip's CRC and length are checked only at its end, which a tar reader can stop
        # short of (a flipped byte in the padding after the last entry would go unseen)
        data = gzip.decompress(raw)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            for member in tar:
                if not member.isfile() or not member.name.startswith("resources/") or \
                        "-preferredversion/" in member.name:
                    continue
                try:
                    obj = json.loads(tar.extractfile(member).read().decode("utf-8"))
                    meta = obj["metadata"]
                    kind = "%s/%s" % (obj["apiVersion"], obj["kind"])
                except (ValueError, KeyError, TypeError) as exc:
                    raise ValueError("%s is not a Kubernetes object (%s)" % (member.name, exc))
                key = "%s/%s" % (meta["namespace"], meta["name"]) if meta.get("namespace") else meta["name"]
                objects.setdefault(kind, {})[key] = obj
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:    # OSError: gzip's BadGzipFile, CRC
        raise ValueError("the archive cannot be read: %s" % exc)
    return objects
