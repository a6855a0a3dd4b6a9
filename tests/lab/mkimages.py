#!/usr/bin/env python3
"""mkimages.py OUTDIR — build the lab's test images offline, reproducibly.

Writes OCI image layouts (for `skopeo copy oci:DIR:TAG ...`) and, for the
foreign-layer image, loose blobs plus a Docker v2s2 manifest to PUT with curl
(skopeo would try to copy a foreign layer's bytes, which the lab does not have).

  OUTDIR/single   OCI layout, 2 small layers, linux/amd64 (pushed as Docker v2s2)
  OUTDIR/multi    OCI layout whose tag points at an image index: linux/amd64 + linux/arm64
  OUTDIR/oci      OCI layout, 1 layer (pushed as-is: OCI manifest)
  OUTDIR/arm64    OCI layout, 1 layer, linux/arm64 only: a single-platform image whose
                  config is the only place its platform is named (single is amd64 only)
  OUTDIR/big      OCI layout, 1 layer of ~6 MiB of incompressible pseudo-random bytes
  OUTDIR/foreign  blobs/ + manifest.json: a v2s2 manifest whose first layer is a
                  `foreign.diff.tar.gzip` layer with `urls` outside ECR

Every layer's content is distinct per image so that corrupting one image's blob in
S3 (the digest-mismatch fault) does not break another image.
Only the standard library is used; nothing touches the network.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

MTIME = 1_700_000_000  # fixed so digests are stable across runs

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
D2_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
D2_CONFIG = "application/vnd.docker.container.image.v1+json"
D2_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
D2_FOREIGN = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"


def sha(b: bytes) -> str:
    return "sha256:" + hashlib.sha256(b).hexdigest()


def canon(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def layer(files: dict) -> tuple[bytes, str]:
    """A gzipped tar of {path: bytes}; returns (compressed bytes, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for path in sorted(files):
            data = files[path]
            ti = tarfile.TarInfo(path)
            ti.size, ti.mtime, ti.mode, ti.uid, ti.gid = len(data), MTIME, 0o644, 0, 0
            tf.addfile(ti, io.BytesIO(data))
    tar = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, compresslevel=6) as g:
        g.write(tar)
    return gz.getvalue(), sha(tar)


def pseudo_random(n: int, seed: bytes) -> bytes:
    """Incompressible, reproducible bytes (SHA-256 in counter mode)."""
    out, i = bytearray(), 0
    while len(out) < n:
        out += hashlib.sha256(seed + i.to_bytes(8, "big")).digest()
        i += 1
    return bytes(out[:n])


def config(arch: str, diff_ids: list, label: str, media=OCI_CONFIG) -> bytes:
    return canon({
        "architecture": arch,
        "os": "linux",
        "created": "2023-11-14T22:13:20Z",
        "config": {"Cmd": ["/bin/true"], "Labels": {"lab.image": label}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": f"vpce-probe lab {label}"}],
    })


class Layout:
    """An OCI image layout directory."""

    def __init__(self, root: str):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(root, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)

    def blob(self, data: bytes) -> str:
        d = sha(data)
        with open(os.path.join(self.root, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        return d

    def image(self, arch: str, layers: list, label: str) -> dict:
        """Write config + layers + manifest; return the manifest's descriptor."""
        descs, diff_ids = [], []
        for data, diff_id in layers:
            descs.append({"mediaType": OCI_LAYER, "digest": self.blob(data), "size": len(data)})
            diff_ids.append(diff_id)
        cfg = config(arch, diff_ids, label)
        man = canon({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": self.blob(cfg), "size": len(cfg)},
            "layers": descs,
        })
        return {"mediaType": OCI_MANIFEST, "digest": self.blob(man), "size": len(man),
                "platform": {"architecture": arch, "os": "linux"}}

    def tag(self, desc: dict, tag: str):
        d = dict(desc)
        d["annotations"] = {"org.opencontainers.image.ref.name": tag}
        with open(os.path.join(self.root, "index.json"), "wb") as f:
            f.write(canon({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [d]}))


def main(out: str):
    # single: two small layers
    lay = Layout(os.path.join(out, "single"))
    d = lay.image("amd64", [layer({"etc/lab-single": b"single layer one\n"}),
                            layer({"usr/share/lab/single.txt": b"single layer two\n" * 64})], "single")
    lay.tag(d, "v1")

    # multi: an index with linux/amd64 and linux/arm64
    lay = Layout(os.path.join(out, "multi"))
    amd = lay.image("amd64", [layer({"etc/lab-multi": b"multi amd64\n"})], "multi-amd64")
    arm = lay.image("arm64", [layer({"etc/lab-multi": b"multi arm64\n"})], "multi-arm64")
    arm["platform"]["variant"] = "v8"
    idx = canon({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [amd, arm]})
    lay.tag({"mediaType": OCI_INDEX, "digest": lay.blob(idx), "size": len(idx)}, "v1")

    # oci: one layer, kept in OCI media types
    lay = Layout(os.path.join(out, "oci"))
    lay.tag(lay.image("amd64", [layer({"etc/lab-oci": b"oci image\n"})], "oci"), "v1")

    # arm64: a single-platform linux/arm64 image (no index)
    lay = Layout(os.path.join(out, "arm64"))
    lay.tag(lay.image("arm64", [layer({"etc/lab-arm64": b"arm64 only\n"})], "arm64"), "v1")

    # big: one ~6 MiB incompressible layer
    lay = Layout(os.path.join(out, "big"))
    big = pseudo_random(6 * 1024 * 1024, b"vpce-probe-lab-big")
    lay.tag(lay.image("amd64", [layer({"opt/lab/big.bin": big})], "big"), "v1")

    # foreign: a v2s2 manifest with a foreign (non-distributable) base layer that
    # lives outside ECR, like Windows base layers on Microsoft's hosts, plus one
    # normal layer that is in the registry.
    fdir = os.path.join(out, "foreign")
    os.makedirs(os.path.join(fdir, "blobs"), exist_ok=True)
    foreign_bytes, foreign_diff = layer({"Files/foreign.txt": b"never pushed: lives outside ECR\n"})
    normal_bytes, normal_diff = layer({"etc/lab-foreign": b"the distributable layer\n"})
    cfg = config("amd64", [foreign_diff, normal_diff], "foreign")
    blobs = {}
    for data in (normal_bytes, cfg):
        dg = sha(data)
        blobs[dg] = len(data)
        with open(os.path.join(fdir, "blobs", dg[7:]), "wb") as f:
            f.write(data)
    fdg = sha(foreign_bytes)
    man = canon({
        "schemaVersion": 2,
        "mediaType": D2_MANIFEST,
        "config": {"mediaType": D2_CONFIG, "digest": sha(cfg), "size": len(cfg)},
        "layers": [
            {"mediaType": D2_FOREIGN, "digest": fdg, "size": len(foreign_bytes),
             "urls": [f"https://foreign-layers.example.net/v2/windows/servercore/blobs/{fdg}"]},
            {"mediaType": D2_LAYER, "digest": sha(normal_bytes), "size": len(normal_bytes)},
        ],
    })
    with open(os.path.join(fdir, "manifest.json"), "wb") as f:
        f.write(man)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: mkimages.py OUTDIR")
    main(sys.argv[1])
