"""EKS token format: what `aws eks get-token` produces, checked independently.

The signature is recomputed here from the SigV4 specification (hashlib/hmac,
not botocore), so a token whose signature does not cover the x-k8s-aws-id
header, or uses the wrong scope, fails.
"""

import base64
import datetime
import hashlib
import hmac
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.providers import eks_token

CREDS = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}


def decode(token):
    assert token.startswith("k8s-aws-v1.")
    body = token[len("k8s-aws-v1."):]
    assert "=" not in body and "+" not in body and "/" not in body
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")


def expected_signature(url, cluster, secret):
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    params = dict(query)
    canonical_query = "&".join(
        "%s=%s" % (quote(k, safe="-_.~"), quote(v, safe="-_.~"))
        for k, v in sorted(query) if k != "X-Amz-Signature")
    headers = {"host": parts.netloc, "x-k8s-aws-id": cluster}
    signed = params["X-Amz-SignedHeaders"].split(";")
    canonical_headers = "".join("%s:%s\n" % (h, headers[h]) for h in signed)
    canonical_request = "\n".join([
        "GET", parts.path or "/", canonical_query, canonical_headers,
        params["X-Amz-SignedHeaders"], hashlib.sha256(b"").hexdigest()])
    scope = params["X-Amz-Credential"].split("/", 1)[1]
    to_sign = "\n".join(["AWS4-HMAC-SHA256", params["X-Amz-Date"], scope,
                         hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def test_token_is_prefixed_unpadded_base64url_of_presigned_sts_url():
    token = eks_token.get_token("gpu-zone", "eu-west-1", credentials=CREDS)
    url = decode(token)
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.netloc == "sts.eu-west-1.amazonaws.com"
    params = dict(parse_qsl(parts.query))
    assert params["Action"] == "GetCallerIdentity"
    assert params["Version"] == "2011-06-15"
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert params["X-Amz-Expires"] == "60"
    assert params["X-Amz-SignedHeaders"] == "host;x-k8s-aws-id"
    assert params["X-Amz-Credential"].startswith("AKIDEXAMPLE/")
    assert params["X-Amz-Credential"].endswith("/eu-west-1/sts/aws4_request")
    assert "X-Amz-Security-Token" not in params


def test_signature_covers_the_cluster_header():
    url = decode(eks_token.get_token("gpu-zone", "eu-west-1", credentials=CREDS))
    sig = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    assert sig == expected_signature(url, "gpu-zone", CREDS["aws_secret_access_key"])
    # the same URL does not verify for another cluster: the header is signed
    assert sig != expected_signature(url, "other-zone", CREDS["aws_secret_access_key"])


def test_session_token_is_carried_and_signed():
    creds = dict(CREDS, aws_session_token="FQoGZXIvYXdzEXAMPLE")
    url = decode(eks_token.get_token("z", "us-east-1", credentials=creds))
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["X-Amz-Security-Token"] == "FQoGZXIvYXdzEXAMPLE"
    assert params["X-Amz-Signature"] == expected_signature(url, "z", CREDS["aws_secret_access_key"])


def test_date_is_now_utc():
    url = decode(eks_token.get_token("z", "us-east-1", credentials=CREDS))
    stamp = datetime.datetime.strptime(dict(parse_qsl(urlsplit(url).query))["X-Amz-Date"],
                                       "%Y%m%dT%H%M%SZ")
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert abs((now - stamp).total_seconds()) < 120


def test_encode_strips_padding_only():
    # 'ab' -> 'YWI=' : one '=' dropped, nothing else changed
    assert eks_token.encode_token("ab") == "k8s-aws-v1.YWI"
    assert eks_token.encode_token("\xff\xfe?") == "k8s-aws-v1." + base64.urlsafe_b64encode(
        "\xff\xfe?".encode("utf-8")).decode().rstrip("=")


def test_no_credentials_is_a_clear_error(monkeypatch):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(eks_token.AizoneError, match="no AWS credentials"):
        eks_token.get_token("z", "us-east-1")


def test_kubeconfig_uses_the_token_user():
    cfg = eks_token.kubeconfig("z", "https://abc.eks.amazonaws.com", "Q0E=", "k8s-aws-v1.x", "us-east-1")
    ctx = cfg["contexts"][0]
    assert cfg["current-context"] == ctx["name"]
    user = [u for u in cfg["users"] if u["name"] == ctx["context"]["user"]][0]
    assert user["user"] == {"token": "k8s-aws-v1.x"}
    cluster = [c for c in cfg["clusters"] if c["name"] == ctx["context"]["cluster"]][0]
    assert cluster["cluster"] == {"server": "https://abc.eks.amazonaws.com",
                                  "certificate-authority-data": "Q0E="}


def test_token_expiry_is_fifteen_minutes_after_signing():
    token = eks_token.get_token("z", "us-east-1", credentials=CREDS)
    stamp = dict(parse_qsl(urlsplit(decode(token)).query))["X-Amz-Date"]
    signed = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
    assert eks_token.token_expiry(token) - signed == datetime.timedelta(minutes=15)
    assert eks_token.token_expiry("not-a-token") is None
    assert eks_token.token_expiry("k8s-aws-v1.!!!") is None


def test_reusable_keeps_a_fresh_token_for_the_same_cluster_only():
    old = eks_token.kubeconfig("z", "https://e", "Q0E=", eks_token.get_token("z", "us-east-1", credentials=CREDS),
                               "us-east-1")
    new = eks_token.kubeconfig("z", "https://e", "Q0E=", "k8s-aws-v1.other", "us-east-1")
    assert eks_token.reusable(old, new)
    expiry = eks_token.token_expiry(old["users"][0]["user"]["token"])
    # too close to expiry (less than the 5 minute margin left): rewrite
    assert not eks_token.reusable(old, new, now=expiry - datetime.timedelta(minutes=4))
    assert eks_token.reusable(old, new, now=expiry - datetime.timedelta(minutes=6))
    # anything besides the token differs: rewrite
    moved = eks_token.kubeconfig("z", "https://elsewhere", "Q0E=", "k8s-aws-v1.other", "us-east-1")
    assert not eks_token.reusable(old, moved)
    assert not eks_token.reusable(None, new)
