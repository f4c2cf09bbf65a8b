"""How long a cloud double's long-running operations take: durations by kind, scaled.

`Latencies.realistic(scale)` gives the durations seen on the clouds, scaled
(1/60 turns minutes into seconds): an EKS cluster takes about 10 minutes, a
managed node group 3 to 5 (AKS agent pools and GKE node pools minutes too),
an update about 2, a delete about 3. The AKS and GKE doubles and the EKS
timeline in front of moto (eks_timeline.py) ask `of(kind)` for every
operation they start; kinds: cluster_create, cluster_update, cluster_delete,
pool_create, pool_update, pool_delete.

Test double only: never imported by plugins/.
"""

REALISTIC_SECONDS = {
    "cluster_create": 600, "cluster_update": 120, "cluster_delete": 180,
    "pool_create": 240, "pool_update": 120, "pool_delete": 180,
}
KINDS = tuple(sorted(REALISTIC_SECONDS))


class Latencies(object):
    """seconds: {kind: seconds}; scale multiplies them all; a kind not given takes `default` (unscaled)."""

    def __init__(self, seconds=None, scale=1.0, default=0.0):
        unknown = set(seconds or {}) - set(KINDS)
        if unknown:
            raise ValueError("unknown operation kinds %s; known: %s" % (sorted(unknown), ", ".join(KINDS)))
        self.seconds = dict(seconds or {})
        self.scale = float(scale)
        self.default = float(default)

    @classmethod
    def realistic(cls, scale=1.0 / 60):
        return cls(REALISTIC_SECONDS, scale)

    @classmethod
    def flat(cls, seconds):
        """Every operation takes the same time (what `op_seconds` sets)."""
        return cls(default=seconds)

    def of(self, kind):
        if kind not in KINDS:
            raise ValueError("unknown operation kind %r" % (kind,))
        if kind in self.seconds:
            return self.seconds[kind] * self.scale
        return self.default

    def describe(self):
        return ", ".join("%s %.1f s" % (kind, self.of(kind)) for kind in KINDS)


class TimedDouble(object):
    """What the AKS and GKE doubles share: `latencies`, and `op_seconds` for tests that want one duration."""

    latencies = None

    @property
    def op_seconds(self):
        """How long operations run when every kind takes the same time."""
        return self.latencies.default

    @op_seconds.setter
    def op_seconds(self, seconds):
        self.latencies = Latencies.flat(seconds)
