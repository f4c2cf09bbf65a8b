# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the backup_location module does: Velero's BackupStorageLocations of a zone, in one task.

1. validate the list (no request on bad input): names, bucket, prefix, access
   mode, S3 settings, credentials given once;
2. find the running zone (zones/access) and Velero's namespace in it;
3. one Secret per location holding its credentials file (written by
   k8s/secrets, never in a result or diff), then one apply of the locations;
4. wait until Velero has validated each against its store (phase Available),
   naming the location and Velero's last message on timeout.

The prefix defaults to the zone's name: one prefix per source zone in a
shared bucket, which a DR zone reads with a ReadOnly location of the same
prefix. With an `s3_url` (an S3-compatible store), path-style addressing is
on and the request checksum off unless set: the AWS SDK's default checksums
are what S3-compatible stores most often refuse (velero#7543, #8203).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.dr.velero import require_velero, velero_namespace
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import kind_info
from ansible_collections.aizone.platform.plugins.module_utils.k8s.secrets import (
    decoded, secret_object, secret_path, write_secret)
from ansible_collections.aizone.platform.plugins.module_utils.names import (
    LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY, check_choice, check_dns_label, check_dns_subdomain, check_keys,
    check_list, given)
from ansible_collections.aizone.platform.plugins.module_utils.waiter import task_timeout, wait_for
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import (
    require_namespace, running_zone, zone_rest)

BSL = kind_info("velero.io/v1", "BackupStorageLocation")
ACCESS_MODES = ("ReadWrite", "ReadOnly")
CHECKSUMS = ("", "CRC32", "CRC32C", "SHA1", "SHA256")
LOCATION_KEYS = ("name", "bucket", "prefix", "provider", "region", "s3_url", "s3_force_path_style",
                 "checksum_algorithm", "insecure_skip_tls_verify", "access_mode", "sync_period", "default",
                 "credentials", "credentials_secret")
CREDENTIAL_KEYS = ("access_key_id", "secret_access_key")
SECRET_KEYS = ("name", "key")
CREDENTIALS_KEY = "cloud"
DURATION = r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"


def _bucket(field, value):
    import re
    if not isinstance(value, str) or not re.match(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", value) or ".." in value:
        raise ValidationError(field, "%r is not an S3 bucket name (3-63 lowercase letters, digits, dots and "
                              "hyphens)" % (value,))
    return value


def _prefix(field, value):
    import re
    if not isinstance(value, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$", value) or "//" in value \
            or value.endswith("/"):
        raise ValidationError(field, "%r is not a bucket prefix (letters, digits, . _ - and /, not starting or "
                              "ending with /)" % (value,))
    return value


def _s3_url(field, value):
    if value is not None and (not isinstance(value, str) or not value.startswith(("http://", "https://"))):
        raise ValidationError(field, "%r is not an http:// or https:// URL" % (value,))
    return value


def _credentials(field, raw):
    given_inline, given_secret = raw.get("credentials"), raw.get("credentials_secret")
    if given_inline and given_secret:
        raise ValidationError(field + ".credentials", "give credentials or credentials_secret, not both")
    if given_inline:
        check_keys(field + ".credentials", given_inline, CREDENTIAL_KEYS)
        for key in CREDENTIAL_KEYS:
            if not isinstance(given_inline.get(key), str) or not given_inline[key]:
                raise ValidationError("%s.credentials.%s" % (field, key), "is required")
        return {"inline": dict(given_inline)}
    if given_secret:
        check_keys(field + ".credentials_secret", given_secret, SECRET_KEYS)
        return {"secret": {"name": check_dns_subdomain(field + ".credentials_secret.name", given_secret.get("name")),
                           "key": given(given_secret.get("key"), CREDENTIALS_KEY)}}
    return {}    # the server's own identity (IRSA, workload identity)


def validate_location(index, raw, zone_name):
    field = "locations[%d]" % index
    if not isinstance(raw, dict):
        raise ValidationError(field, "must be a mapping with at least a name and a bucket")
    check_keys(field, raw, LOCATION_KEYS)
    import re
    sync = raw.get("sync_period")
    if sync is not None and not (isinstance(sync, str) and re.match(DURATION, sync)):
        raise ValidationError(field + ".sync_period", "%r is not a duration like 1m or 30s" % (sync,))
    s3_url = _s3_url(field + ".s3_url", raw.get("s3_url"))
    return {
        "field": field,
        "name": check_dns_subdomain(field + ".name", raw.get("name")),
        "bucket": _bucket(field + ".bucket", raw.get("bucket")),
        "prefix": _prefix(field + ".prefix", given(raw.get("prefix"), zone_name)),
        "provider": check_choice(field + ".provider", given(raw.get("provider"), "aws"), ("aws",)),
        "region": given(raw.get("region"), "us-east-1"),
        "s3_url": s3_url,
        "path_style": bool(given(raw.get("s3_force_path_style"), s3_url is not None)),
        "checksum": check_choice(field + ".checksum_algorithm",
                                 given(raw.get("checksum_algorithm"), "" if s3_url else None), CHECKSUMS),
        "insecure": bool(raw.get("insecure_skip_tls_verify")),
        "access_mode": check_choice(field + ".access_mode", given(raw.get("access_mode"), "ReadWrite"), ACCESS_MODES),
        "sync_period": sync,
        "default": bool(raw.get("default")),
        "credentials": _credentials(field, raw),
    }


def validate_locations(locations, zone_name):
    specs = check_list("locations", locations, lambda index, raw: validate_location(index, raw, zone_name),
                       "backup storage location")
    defaults = [s["field"] for s in specs if s["default"]]
    if len(defaults) > 1:
        raise ValidationError(defaults[1] + ".default", "only one location can be the default (%s is)" % defaults[0])
    return specs


def credentials_file(inline):
    """The AWS shared credentials file the plugin reads."""
    return "[default]\naws_access_key_id=%s\naws_secret_access_key=%s\n" % (
        inline["access_key_id"], inline["secret_access_key"])


def secret_name(spec):
    return "aizone-bsl-%s" % spec["name"]


def location_object(spec, namespace):
    """The BackupStorageLocation of a validated location."""
    config = {"region": spec["region"]}
    if spec["s3_url"]:
        config["s3Url"] = spec["s3_url"]
    if spec["path_style"]:
        config["s3ForcePathStyle"] = "true"
    if spec["checksum"] is not None:
        config["checksumAlgorithm"] = spec["checksum"]
    if spec["insecure"]:
        config["insecureSkipTLSVerify"] = "true"
    body = {"provider": spec["provider"], "objectStorage": {"bucket": spec["bucket"], "prefix": spec["prefix"]},
            "config": config, "accessMode": spec["access_mode"], "default": spec["default"]}
    if spec["sync_period"]:
        body["backupSyncPeriod"] = spec["sync_period"]
    creds = spec["credentials"]
    if creds.get("inline"):
        body["credential"] = {"name": secret_name(spec), "key": CREDENTIALS_KEY}
    elif creds.get("secret"):
        body["credential"] = dict(creds["secret"])
    return {"apiVersion": BSL.api_version, "kind": "BackupStorageLocation",
            "metadata": {"name": spec["name"], "namespace": namespace,
                         "labels": {LABEL_MANAGED_BY: MANAGED_BY, LABEL_NAME: spec["name"]}},
            "spec": body}


def _secrets(rest, specs, namespace, check_mode):
    """Write each location's credentials Secret where it differs; [(name, action)] (values never returned).
    A credentials_secret named by a location must exist with its key, checked before anything is written."""
    for spec in specs:
        ref = spec["credentials"].get("secret")
        if ref and ref["key"] not in decoded(rest.get_or_none(secret_path(namespace, ref["name"])) or {}):
            raise ValidationError(spec["field"] + ".credentials_secret", "Secret %s/%s with the key %r does not "
                                  "exist" % (namespace, ref["name"], ref["key"]))
    out = []
    for spec in specs:
        inline = spec["credentials"].get("inline")
        if not inline:
            continue
        name = secret_name(spec)
        live = rest.get_or_none(secret_path(namespace, name))
        data = {CREDENTIALS_KEY: credentials_file(inline)}
        if live is not None and decoded(live) == data:
            out.append((name, "unchanged"))
            continue
        labels = {LABEL_MANAGED_BY: MANAGED_BY, LABEL_NAME: name}
        body = secret_object(namespace, name, labels, data, live)
        action = ("created" if live is None else "updated") if check_mode else write_secret(rest, body, live)
        out.append((name, action))
    return out


def _wait_available(rest, specs, namespace, timeout):
    """Wait until Velero has validated every location against its store."""
    def probe():
        pending = []
        for spec in specs:
            status = (rest.get(BSL.object_path(spec["name"], namespace)).get("status") or {})
            if status.get("phase") != "Available":
                pending.append("%s %s%s" % (spec["name"], status.get("phase") or "not validated yet",
                                            ": " + status["message"] if status.get("message") else ""))
        return not pending, None, "; ".join(pending)
    wait_for(probe, timeout, "backup_location: wait for Velero to find the stores of %s Available"
             % ", ".join(s["name"] for s in specs))


def _phases(rest, specs, namespace):
    found = dict((o["metadata"]["name"], o) for o in rest.list_all(BSL.collection_path(namespace)))
    return dict((s["name"], ((found.get(s["name"]) or {}).get("status") or {}).get("phase")) for s in specs)


def converge(params, check_mode=False, want_diff=False):
    """The backup_location module; returns the result dict."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import apply_objects
    timeout = task_timeout(params)
    namespace = velero_namespace(params)
    zone_name = check_dns_label("zone", params.get("zone"), max_length=40, start_letter=True)
    specs = validate_locations(params.get("locations"), zone_name)
    provider, zone = running_zone(params)
    rest = zone_rest(params, provider, zone)
    warnings = []
    require_velero(rest, zone_name, "BackupStorageLocation")
    present = require_namespace(rest, "namespace", namespace, check_mode, warnings, "the locations")
    secrets = _secrets(rest, specs, namespace, check_mode) if present else [
        (secret_name(s), "created") for s in specs if s["credentials"].get("inline")]
    result = apply_objects(rest, [location_object(s, namespace) for s in specs], check_mode=check_mode,
                           wait_timeout=timeout)
    if params.get("wait", True) and not check_mode:
        _wait_available(rest, specs, namespace, timeout)
    out = result.as_dict(diff=want_diff)
    phases = {} if check_mode and not present else _phases(rest, specs, namespace)
    out["locations"] = [dict(name=s["name"], bucket=s["bucket"], prefix=s["prefix"], access_mode=s["access_mode"],
                             phase=phases.get(s["name"]), credentials_secret=(
                                 secret_name(s) if s["credentials"].get("inline")
                                 else (s["credentials"].get("secret") or {}).get("name")))
                        for s in specs]
    out["secrets"] = [dict(name=name, action=action) for name, action in secrets]
    out["changed"] = out["changed"] or any(action != "unchanged" for _name, action in secrets)
    out["warnings"] = warnings
    out["api_requests"] = dict(rest.counts)
    return out
