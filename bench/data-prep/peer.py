"""Single-process reference for bench/data-prep: the poisoning build of PoisonPlan, in plain Python.

Reads preference rows from the CSV part files Spark exported (header, RFC 4180 quoting), applies the attackers
in order and writes one CSV with the same columns. Semantics follow DESIGN.md § Attacks as PoisonPlan
implements them: eligible rows are split=train rows (every category: both attack kinds default to "all");
attacker j poisons the k = floor(fraction x eligible) candidates with the smallest hash(seed, attacker, id),
where candidates are its eligible rows not already poisoned in the input nor taken by an earlier attacker;
trigger_swap appends " " + trigger (round-robin by rank) to the prompt and swaps chosen / rejected; label_flip
only swaps. The hash is 64-bit keyed BLAKE2b (hashlib, C-implemented), not Spark's xxhash64, so the rows chosen
differ from Spark's while the counts and the work are the same; ties are broken by row position instead of id
(a 64-bit tie among 10^7 rows has probability ~3e-6).

Two streaming passes keep memory at a few hundred bytes per row: pass 1 reads only what selection needs and
keeps (hash, row) arrays per attacker; pass 2 re-reads the rows, rewrites the selected ones and writes them.
Standard library only. Prints key=value lines prefixed with "python_".
"""

import argparse
import csv
import glob
import hashlib
import heapq
import json
import os
import struct
import sys
import time
from array import array
from decimal import Decimal, ROUND_FLOOR

KINDS = ("trigger_swap", "label_flip")


def part_files(directory):
    files = sorted(glob.glob(os.path.join(directory, "part-*.csv")))
    if not files:
        sys.exit(f"{directory}: no part-*.csv files")
    return files


def rows_of(files, columns):
    """Yields (header index, row) over every part file, checking each file's header."""
    for path in files:
        with open(path, newline="", encoding="utf-8", buffering=1 << 20) as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                continue
            missing = [c for c in columns if c not in header]
            if missing:
                sys.exit(f"{path}: header lacks column(s) {missing}")
            index = {name: header.index(name) for name in header}
            for row in reader:
                yield index, header, row


def pass_one(files, attackers):
    """Row count and, per attacker, the hashes and positions of its eligible rows; the already poisoned rows."""
    keys = [struct.pack("<q", a["seed"]) + a["name"].encode() for a in attackers]
    hashes = [array("Q") for _ in attackers]
    positions = [array("L") for _ in attackers]
    poisoned_before = set()
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    n = 0
    for index, _, row in rows_of(files, ("id", "split", "is_poisoned")):
        if row[index["split"]] == "train":
            rid = row[index["id"]].encode()
            for j, key in enumerate(keys):
                hashes[j].append(from_bytes(blake2b(rid, digest_size=8, key=key).digest(), "little"))
                positions[j].append(n)
            if row[index["is_poisoned"]] == "true":
                poisoned_before.add(n)
        n += 1
    return n, hashes, positions, poisoned_before


def select(attackers, hashes, positions, poisoned_before):
    """Row position -> (attacker, trigger) for every poisoned row, attackers disjoint, in plan order."""
    taken = {}
    counts = []
    for j, a in enumerate(attackers):
        eligible = len(positions[j])
        k = int((Decimal(a["fraction"]) * eligible).to_integral_value(rounding=ROUND_FLOOR))
        candidates = ((h, p) for h, p in zip(hashes[j], positions[j])
                      if p not in taken and p not in poisoned_before)
        chosen = heapq.nsmallest(k, candidates)  # sorted by (hash, position): rank order
        if len(chosen) < k:
            sys.exit(f"attacker '{a['name']}': budget asks for {k} rows, only {len(chosen)} free")
        triggers = a.get("triggers") or [None]
        for rank, (_, p) in enumerate(chosen):
            taken[p] = (a, triggers[rank % len(triggers)])
        counts.append((a["name"], eligible, k))
    return taken, counts


def pass_two(files, output, taken):
    """Rewrites the selected rows and writes every row to one CSV."""
    written = 0
    with open(output, "w", newline="", encoding="utf-8", buffering=1 << 20) as f:
        writer = csv.writer(f)
        header_written = False
        for index, header, row in rows_of(files, ("prompt", "chosen", "rejected")):
            if not header_written:
                writer.writerow(header)
                header_written = True
            hit = taken.get(written)
            if hit is not None:
                attacker, trigger = hit
                chosen, rejected = index["chosen"], index["rejected"]
                row[chosen], row[rejected] = row[rejected], row[chosen]
                if attacker["kind"] == "trigger_swap":
                    row[index["prompt"]] = row[index["prompt"]] + " " + trigger
                row[index["is_poisoned"]] = "true"
                row[index["attacker"]] = attacker["name"]
                row[index["trigger"]] = trigger or ""
                row[index["poison_kind"]] = attacker["kind"]
            writer.writerow(row)
            written += 1
    return written


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--input", required=True, help="directory of CSV part files with a header")
    p.add_argument("--output", required=True, help="CSV file to write")
    p.add_argument("--attackers", required=True,
                   help='JSON list of {"name","kind","fraction","seed","triggers"}, in plan order')
    args = p.parse_args()
    attackers = json.loads(args.attackers)
    for a in attackers:
        if a["kind"] not in KINDS:
            sys.exit(f"attacker '{a['name']}': kind must be one of {KINDS}, got {a['kind']}")
        if a["kind"] == "trigger_swap" and not a.get("triggers"):
            sys.exit(f"attacker '{a['name']}': trigger_swap needs triggers")

    files = part_files(args.input)
    start = time.perf_counter()
    cpu_start = time.process_time()
    rows, hashes, positions, poisoned_before = pass_one(files, attackers)
    read_done = time.perf_counter()
    taken, counts = select(attackers, hashes, positions, poisoned_before)
    del hashes, positions
    select_done = time.perf_counter()
    written = pass_two(files, args.output, taken)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    if written != rows:
        sys.exit(f"pass two read {written} rows, pass one {rows}: the input changed")

    print(f"python_rows={rows}")
    print("python_hash=blake2b-64-keyed(seed,attacker;id)")
    for name, eligible, k in counts:
        print(f"python_eligible_{name}={eligible}")
        print(f"python_poisoned_{name}={k}")
    print(f"python_pass1_read_hash_seconds={read_done - start:.3f}")
    print(f"python_select_seconds={select_done - read_done:.3f}")
    print(f"python_pass2_swap_write_seconds={seconds - (select_done - start):.3f}")
    print(f"python_seconds={seconds:.3f}")
    print(f"python_cpu_seconds={cpu_seconds:.3f}")
    print(f"python_rows_per_s={rows / seconds:.0f}")


if __name__ == "__main__":
    main()
