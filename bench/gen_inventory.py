"""Generate a realistic AWS account inventory in cloudkg's vocabulary, for scale benchmarks.

``python bench/gen_inventory.py --triples 100000 --out inventory.nt`` writes about that many
triples (it stops after the resource that reaches N): regions and their Availability Zones,
VPCs, subnets, security groups, AMIs, EC2 instances with instance types, EBS volumes, EBS
snapshots stored in S3, S3 buckets, RDS DB instances and Lambda functions. Every resource is a
``skos:Concept`` and a ``ck:Resource`` (regions and zones: ``ck:Concept``) with English and
Korean labels and definitions, a category and a source, and ``ckg:variantOf`` the bundled
concept it is a kind of (``ck:EC2Instance``, ``ck:EBSSnapshot``, ...), so it passes the shapes
(``kg validate FILE``) and the bundled questions reach it ("what stores EBS backups").

The output is N-Triples, which is also valid Turtle, whatever the extension (.nt or .ttl).
It is deterministic for a given ``--seed``.

>>> import io
>>> out = io.StringIO()
>>> count = write_inventory(out, 2000, seed=1)
>>> 2000 <= count < 2100, out.getvalue().count("\\n") == count
(True, True)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

CK = "https://w3id.org/cloudkg/id/"
CKG = "https://w3id.org/cloudkg/schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SOURCE = "http://purl.org/dc/terms/source"
INVENTORY_SOURCE = "https://w3id.org/cloudkg/source/generated-inventory"
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-2",
           "ap-northeast-1", "ap-southeast-1"]
INSTANCE_TYPES = ["t3.micro", "t3.large", "m5.large", "m5.xlarge", "c5.2xlarge", "r5.large", "m6g.medium"]
ENGINES = ["MySQL", "PostgreSQL", "MariaDB", "OracleDatabase", "SQLServer"]
# Per subnet: how many of each resource (a small account's shape).
PER_SUBNET = {"instance": 6, "volume": 8, "snapshot": 10, "db": 1, "function": 2, "bucket": 2}


class _Writer:
    """Writes N-Triples lines and counts them; ``full`` once ``limit`` is reached."""

    def __init__(self, out: TextIO, limit: int) -> None:
        self.out, self.limit, self.count = out, limit, 0

    @property
    def full(self) -> bool:
        return self.count >= self.limit

    def iri(self, subject: str, predicate: str, obj: str) -> None:
        self.out.write(f"<{subject}> <{predicate}> <{obj}> .\n")
        self.count += 1

    def text(self, subject: str, predicate: str, value: str, lang: str) -> None:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        self.out.write(f'<{subject}> <{predicate}> "{escaped}"@{lang} .\n')
        self.count += 1

    def concept(self, node: str, kind: str, labels: tuple[str, str], definitions: tuple[str, str],
                category: str, cls: str = "Resource") -> None:
        """The triples every inventory concept has: types, labels, definitions, category, source, kind."""
        self.iri(node, RDF_TYPE, SKOS + "Concept")
        self.iri(node, RDF_TYPE, CK + cls)
        self.text(node, SKOS + "prefLabel", labels[0], "en")
        self.text(node, SKOS + "prefLabel", labels[1], "ko")
        self.text(node, SKOS + "definition", definitions[0], "en")
        self.text(node, SKOS + "definition", definitions[1], "ko")
        self.iri(node, CKG + "category", CK + "cat-" + category)
        self.iri(node, SOURCE, INVENTORY_SOURCE)
        self.iri(node, CKG + "variantOf", CK + kind)


def _hex(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def _source(w: _Writer) -> None:
    w.iri(INVENTORY_SOURCE, RDF_TYPE, CKG + "Source")
    w.text(INVENTORY_SOURCE, RDFS_LABEL, "Generated AWS account inventory (benchmark data)", "en")
    w.text(INVENTORY_SOURCE, RDFS_LABEL, "생성된 AWS 계정 인벤토리(벤치마크 데이터)", "ko")


def _regions(w: _Writer) -> dict[str, list[str]]:
    """Each region with its three Availability Zones; region code -> zone nodes."""
    zones: dict[str, list[str]] = {}
    for code in REGIONS:
        region = f"{CK}inv-region-{code}"
        w.concept(region, "Region", (f"Region {code}", f"리전 {code}"),
                  (f"The AWS Region {code} of this account.", f"이 계정이 쓰는 AWS 리전 {code}."),
                  "concepts", "Concept")
        zones[code] = []
        for letter in "abc":
            zone = f"{CK}inv-az-{code}{letter}"
            w.concept(zone, "AvailabilityZone", (f"Availability Zone {code}{letter}", f"가용 영역 {code}{letter}"),
                      (f"Availability Zone {code}{letter} in Region {code}.",
                       f"리전 {code}의 가용 영역 {code}{letter}."),
                      "concepts", "Concept")
            w.iri(zone, CKG + "partOf", region)
            zones[code].append(zone)
    return zones


def _instance_types(w: _Writer) -> list[str]:
    nodes = []
    for name in INSTANCE_TYPES:
        node = f"{CK}inv-type-{name.replace('.', '-')}"
        w.concept(node, "InstanceType", (f"instance type {name} (inventory)", f"인스턴스 유형 {name} (인벤토리)"),
                  (f"The EC2 instance type {name}, as used in this account.",
                   f"이 계정에서 쓰는 EC2 인스턴스 유형 {name}."),
                  "compute", "Setting")
        nodes.append(node)
    return nodes


def write_inventory(out: TextIO, triples: int, seed: int = 42) -> int:
    """Write about ``triples`` N-Triples lines of inventory to ``out``; the number written."""
    rng = random.Random(seed)
    w = _Writer(out, triples)
    _source(w)
    zones = _regions(w)
    types = _instance_types(w)
    for number in _counter():
        if w.full:
            break
        code = REGIONS[number % len(REGIONS)]
        _vpc(w, rng, number, code, zones[code], types)
    return w.count


def _counter() -> Iterator[int]:
    number = 0
    while True:
        yield number
        number += 1


def _vpc(w: _Writer, rng: random.Random, number: int, code: str, zones: list[str], types: list[str]) -> None:
    """One VPC in ``code`` with a subnet per zone, each full of resources; stops when ``w`` is full."""
    vpc_id = f"vpc-{number:08x}{_hex(rng, 9)}"
    vpc = f"{CK}inv-{vpc_id}"
    w.concept(vpc, "VPC", (f"VPC {vpc_id}", f"VPC {vpc_id} (가상 네트워크)"),
              (f"A virtual private cloud of this account in Region {code}.", f"리전 {code}에 있는 이 계정의 VPC."),
              "networking")
    w.iri(vpc, CKG + "locatedIn", f"{CK}inv-region-{code}")
    w.iri(vpc, CKG + "providedBy", CK + "VPC")
    ami = _resource(w, rng, "ami", "AMI", "Amazon Machine Image", "아마존 머신 이미지", "compute",
                    f"a machine image registered in {code}", f"{code}에 등록된 머신 이미지")
    w.iri(ami, CKG + "locatedIn", f"{CK}inv-region-{code}")
    w.iri(ami, CKG + "providedBy", CK + "EC2")
    for zone in zones:
        if w.full:
            return
        _subnet(w, rng, (vpc, zone, code), ami, types)


def _resource(w: _Writer, rng: random.Random, prefix: str, kind: str, noun_en: str, noun_ko: str, category: str,
              where_en: str, where_ko: str) -> str:
    rid = f"{prefix}-{_hex(rng, 17)}"
    node = f"{CK}inv-{rid}"
    w.concept(node, kind, (f"{noun_en} {rid}", f"{noun_ko} {rid}"),
              (f"{noun_en} {rid}: {where_en}.", f"{noun_ko} {rid}: {where_ko}."), category)
    return node


def _subnet(w: _Writer, rng: random.Random, place: tuple[str, str, str], ami: str, types: list[str]) -> None:
    """A subnet of ``place`` (VPC, zone, region code) with its security group and resources."""
    vpc, zone, code = place
    zone_name = zone.rsplit("-az-", 1)[1]
    subnet = _resource(w, rng, "subnet", "Subnet", "subnet", "서브넷", "networking",
                       f"a subnet in {zone_name}", f"{zone_name}에 있는 서브넷")
    w.iri(subnet, CKG + "partOf", vpc)
    w.iri(subnet, CKG + "locatedIn", zone)
    group = _resource(w, rng, "sg", "SecurityGroup", "security group", "보안 그룹", "security",
                      "a security group of the VPC", "VPC의 보안 그룹")
    w.iri(group, CKG + "partOf", vpc)
    for _ in range(PER_SUBNET["instance"]):
        if w.full:
            return
        _instance(w, rng, subnet, zone, group, ami, rng.choice(types))
    for _ in range(PER_SUBNET["db"]):
        _database(w, rng, subnet, group)
    for _ in range(PER_SUBNET["function"]):
        function = _resource(w, rng, "fn", "Lambda", "Lambda function", "Lambda 함수", "compute",
                             "a function of this account", "이 계정의 함수")
        w.iri(function, CKG + "providedBy", CK + "Lambda")
        w.iri(function, CKG + "locatedIn", subnet)
    for _ in range(PER_SUBNET["bucket"]):
        bucket = _resource(w, rng, "bucket", "S3Bucket", "S3 bucket", "S3 버킷", "storage",
                           "a bucket of this account", "이 계정의 버킷")
        w.iri(bucket, CKG + "providedBy", CK + "S3")
        w.iri(bucket, CKG + "locatedIn", f"{CK}inv-region-{code}")


def _instance(w: _Writer, rng: random.Random, subnet: str, zone: str, group: str, ami: str, itype: str) -> None:
    """An instance with its volumes (one or two) and their snapshots (stored in S3)."""
    instance = _resource(w, rng, "i", "EC2Instance", "EC2 instance", "EC2 인스턴스", "compute",
                         f"launched from {ami.rsplit('inv-', 1)[1]}", f"{ami.rsplit('inv-', 1)[1]}에서 시작한 인스턴스")
    for relation, target in (("providedBy", CK + "EC2"), ("locatedIn", subnet), ("createdFrom", ami),
                             ("configuredWith", itype), ("protectedBy", group)):
        w.iri(instance, CKG + relation, target)
    volumes = 1 + (rng.random() < PER_SUBNET["volume"] / PER_SUBNET["instance"] - 1)
    for _ in range(volumes):
        volume = _resource(w, rng, "vol", "EBSVolume", "EBS volume", "EBS 볼륨", "storage",
                           "a volume attached to an instance", "인스턴스에 연결된 볼륨")
        for relation, target in (("providedBy", CK + "EBS"), ("attachedTo", instance), ("locatedIn", zone)):
            w.iri(volume, CKG + relation, target)
        for _ in range(rng.randint(0, 3)):
            snapshot = _resource(w, rng, "snap", "EBSSnapshot", "EBS snapshot", "EBS 스냅샷", "storage",
                                 "a backup of a volume, kept in S3", "S3에 보관된 볼륨 백업")
            for relation, target in (("providedBy", CK + "EBS"), ("backupOf", volume), ("storedIn", CK + "S3")):
                w.iri(snapshot, CKG + relation, target)


def _database(w: _Writer, rng: random.Random, subnet: str, group: str) -> None:
    engine = rng.choice(ENGINES)
    db = _resource(w, rng, "db", "DBInstance", "DB instance", "DB 인스턴스", "database",
                   f"an RDS database running {engine}", f"{engine}을 실행하는 RDS 데이터베이스")
    for relation, target in (("providedBy", CK + "RDS"), ("runs", CK + engine), ("locatedIn", subnet),
                             ("protectedBy", group)):
        w.iri(db, CKG + relation, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=float, required=True, help="about how many triples (1e5 is fine)")
    parser.add_argument("--out", type=Path, required=True, help="FILE.nt or FILE.ttl (written as N-Triples)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.triples < 100:
        parser.error("--triples must be at least 100")
    start = time.perf_counter()
    with open(args.out, "w", encoding="utf-8", buffering=1 << 20) as out:
        count = write_inventory(out, int(args.triples), args.seed)
    print(f"wrote {count:,} triples to {args.out} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
