"""Reconciliation of two NBS editions: which units continued, and what became of the others.

Django-free. Codes are never trusted alone — they are retired and reused, units move and get new
codes, suffixes drift — so units are matched level by level, top down:

1. same code and same proper name (`nbs.name_key`, suffix drift ignored): the same unit;
2. same proper name under the same (already matched) parent, another code: a recode;
3. same proper name elsewhere in the same county (villages) or city (townships): a transfer;
4. same code, another name: a rename — unless the new name belonged to another, earlier unit
   under that parent, or (for townships) the children differ: then the code was reused;
5. the rest: a disappeared township is traced to where its children went (absorbed, combined,
   split); a disappeared village to a new unit under the same parent, else to a continuing
   sibling (low confidence); new units nobody went into are established.

Each proposal is a dict: type, level, confidence (0–1), evidence (Chinese), predecessors and
successors (dicts with code, name, parent_code, level; a successor that continues an old unit
carries `from_code`, its code in the old edition).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .nbs import Entry, classify, display_name, name_key, shared_chars

TYPE_ORDER = {
    "establish": 0, "rename": 1, "township_to_town": 1, "to_subdistrict": 1,
    "recode": 2, "transfer": 3, "merge": 4, "split": 5, "abolish": 6,
}


@dataclass
class Result:
    proposals: list[dict] = field(default_factory=list)
    unchanged: Counter = field(default_factory=Counter)

    def counts(self) -> dict[str, int]:
        counts = Counter(p["type"] for p in self.proposals)
        counts["unchanged"] = sum(self.unchanged.values())
        return dict(counts)


def reconcile(old: list[Entry], new: list[Entry], history: set[tuple[str, str]] | None = None) -> Result:
    """Compare edition `old` with edition `new` (both restricted to the same scope).

    `history`: (parent_code, name_key) pairs of units seen in editions before `old`: evidence that
    a code now carries the name of a different, earlier unit (code reuse, not a rename).
    """
    return _Reconciler(old, new, history or set()).run()


def _side(e: Entry, from_code: str | None = None) -> dict:
    d = {"code": e.code, "name": display_name(e.name), "parent_code": e.parent_code, "level": e.level}
    if from_code:
        d["from_code"] = from_code
    return d


def _kind_change_type(a: Entry, b: Entry) -> str:
    ka, kb = classify(a.code, a.name, a.level), classify(b.code, b.name, b.level)
    if ka in ("township", "ethnic_township") and kb == "town":
        return "township_to_town"
    if kb == "subdistrict" and ka != "subdistrict":
        return "to_subdistrict"
    return "rename"


def _seg(code: str) -> int:
    return int(code[-3:]) if code[-3:] != "000" else int(code[-6:-3])


class _Reconciler:
    def __init__(self, old: list[Entry], new: list[Entry], history: set[tuple[str, str]]):
        self.old, self.new, self.history = old, new, history
        self.A = {e.code: e for e in old}
        self.B = {e.code: e for e in new}
        self.kids_old = defaultdict(list)
        self.kids_new = defaultdict(list)
        for e in old:
            self.kids_old[e.parent_code].append(e)
        for e in new:
            self.kids_new[e.parent_code].append(e)
        self.keys_old_by_parent = defaultdict(Counter)
        for e in old:
            self.keys_old_by_parent[e.parent_code][name_key(e.name)] += 1
        self.m: dict[str, str] = {}  # old code -> new code of continuing units
        self.m_inv: dict[str, str] = {}
        self.absorbed: dict[str, str] = {}  # old code of a unit merged away -> new code of the unit it went into
        self.result = Result()

    # -- helpers ---------------------------------------------------------------------------------
    def match(self, a: Entry, b: Entry):
        self.m[a.code] = b.code
        self.m_inv[b.code] = a.code

    def propose(self, typ, preds, succs, confidence, evidence):
        level = (preds or succs)[0].level
        self.result.proposals.append({
            "type": typ,
            "level": level,
            "confidence": round(confidence, 2),
            "evidence": evidence,
            "predecessors": [_side(a) for a in preds],
            "successors": [_side(b, from_code=self.m_inv.get(b.code)) for b in succs],
        })

    def area(self, entries, code):
        """The grandparent code of a unit (its county for a village, its city for a township)."""
        parent = entries.get(entries[code].parent_code) if code in entries else None
        return parent.parent_code if parent else None

    def name(self, entries, code):
        e = entries.get(code)
        return display_name(e.name) if e else "?"

    # -- the passes --------------------------------------------------------------------------------
    def run(self) -> Result:
        for level in sorted({e.level for e in self.old} | {e.level for e in self.new}):
            a_level = [e for e in self.old if e.level == level]
            b_level = {e.code: e for e in self.new if e.level == level}
            pending = self.same_code_same_name(level, a_level, b_level)
            pending = self.same_name_same_parent(pending, b_level)
            if level >= 3:
                pending = self.same_name_same_area(pending, b_level)
            reused: dict[str, str] = {}
            pending = self.same_code_other_name(level, pending, b_level, reused)
            new_b = {c: b for c, b in b_level.items() if c not in self.m_inv}
            self.trace_disappeared(level, pending, new_b, reused)
        self.result.proposals.sort(key=lambda p: (
            p["level"], TYPE_ORDER[p["type"]], (p["predecessors"] or p["successors"])[0]["code"]))
        return self.result

    def same_code_same_name(self, level, a_level, b_level):
        pending = []
        for a in a_level:
            b = b_level.get(a.code)
            if b is None or b.code in self.m_inv or name_key(a.name) != name_key(b.name):
                pending.append(a)
                continue
            self.match(a, b)
            new_parent = self.m.get(a.parent_code)
            if display_name(a.name) != display_name(b.name):
                self.propose(_kind_change_type(a, b), [a], [b], 0.9,
                             f"代码相同({a.code}),名称由“{display_name(a.name)}”改为“{display_name(b.name)}”")
            elif new_parent is not None and new_parent != b.parent_code:
                self.propose("transfer", [a], [b], 0.8, "代码与名称均未变,但上级已是另一单位")
            else:
                self.result.unchanged[level] += 1
        return pending

    def same_name_same_parent(self, pending, b_level):
        index = defaultdict(list)
        for b in b_level.values():
            if b.code not in self.m_inv:
                index[(b.parent_code, name_key(b.name))].append(b)
        rest = []
        for a in pending:
            parent_b = self.m.get(a.parent_code)
            cands = [b for b in index.get((parent_b, name_key(a.name)), []) if b.code not in self.m_inv]
            if parent_b and len(cands) == 1:
                b = cands[0]
                self.match(a, b)
                if display_name(a.name) != display_name(b.name):  # e.g. 撤乡设镇: 甲乡 200 → 甲镇 1xx
                    self.propose(_kind_change_type(a, b), [a], [b], 0.85,
                                 f"同一上级下,“{display_name(a.name)}”改为“{display_name(b.name)}”,代码由 {a.code} 变为 {b.code}")
                else:
                    self.propose("recode", [a], [b], 0.9, f"同一上级下同名单位,代码由 {a.code} 变为 {b.code}")
            else:
                rest.append(a)
        return rest

    def same_name_same_area(self, pending, b_level):
        index = defaultdict(list)
        for b in b_level.values():
            if b.code not in self.m_inv:
                index[(self.area(self.B, b.code), name_key(b.name))].append(b)
        rest = []
        for a in pending:
            area_a = self.area(self.A, a.code)
            area_b = self.m.get(area_a) if area_a else None
            cands = [b for b in index.get((area_b, name_key(a.name)), []) if b.code not in self.m_inv]
            if area_b and len(cands) == 1:
                b = cands[0]
                self.match(a, b)
                self.propose("transfer", [a], [b], 0.85,
                             f"“{display_name(a.name)}”由{self.name(self.A, a.parent_code)}转入"
                             f"{self.name(self.B, b.parent_code)},代码由 {a.code} 变为 {b.code}")
            else:
                rest.append(a)
        return rest

    def child_overlap(self, a: Entry, b: Entry) -> float | None:
        """Share of a's children whose proper names reappear under b; None when a has none."""
        keys_a = {name_key(c.name) for c in self.kids_old.get(a.code, [])}
        if not keys_a:
            return None
        keys_b = {name_key(c.name) for c in self.kids_new.get(b.code, [])}
        return len(keys_a & keys_b) / len(keys_a)

    def same_code_other_name(self, level, pending, b_level, reused):
        rest = []
        for a in pending:
            b = b_level.get(a.code)
            if b is None or b.code in self.m_inv:
                rest.append(a)
                continue
            key_b = name_key(b.name)
            earlier = (b.parent_code, key_b) in self.history or self.keys_old_by_parent[a.parent_code][key_b] > 0
            overlap = self.child_overlap(a, b) if level < 5 else None
            if earlier:
                reused[b.code] = (f"代码 {a.code} 原为“{display_name(a.name)}”,现为“{display_name(b.name)}”;"
                                  f"“{display_name(b.name)}”是此前存在过的另一单位的名称,代码被重新使用,不视为更名")
                rest.append(a)
                continue
            if overlap is not None and overlap < 0.5:
                reused[b.code] = f"代码 {a.code} 相同,但下级单位大多不同(重合 {overlap:.0%}),代码被重新使用"
                rest.append(a)
                continue
            self.match(a, b)
            typ = _kind_change_type(a, b)
            if overlap is not None:
                conf, why = 0.9, f"代码相同,下级单位重合 {overlap:.0%}"
            elif shared_chars(a.name, b.name) or typ != "rename":
                conf, why = 0.75, "代码相同,名称相近"
            else:
                conf, why = 0.5, "代码相同,名称无相同字,也可能是撤销后代码被重新使用,请核实"
            self.propose(typ, [a], [b], conf, f"{why}:“{display_name(a.name)}”→“{display_name(b.name)}”")
        return rest

    def trace_disappeared(self, level, gone, new_b, reused):
        merges: dict[str, list[Entry]] = defaultdict(list)  # successor code -> predecessors
        evidence: dict[str, list[str]] = defaultdict(list)
        confidence: dict[str, float] = {}
        used_new: set[str] = set()

        def add_merge(a, b_code, conf, why):
            merges[b_code].append(a)
            confidence[b_code] = min(confidence.get(b_code, 1.0), conf)
            evidence[b_code].append(why)

        rest = []
        if level < 5:
            # Where did the children go? (matched by proper name within the new parent's area)
            area_index = defaultdict(list)
            for b in self.new:
                if b.level == level + 1:
                    area_index[(self.area(self.B, b.code), name_key(b.name))].append(b)
            for a in gone:
                kids = self.kids_old.get(a.code, [])
                area_b = self.m.get(a.parent_code)
                dest, names = Counter(), defaultdict(list)
                for child in kids:
                    hits = area_index.get((area_b, name_key(child.name)), [])
                    if len(hits) == 1:
                        dest[hits[0].parent_code] += 1
                        names[hits[0].parent_code].append(display_name(child.name))
                if not dest:
                    rest.append(a)
                    continue
                (top, n_top), *_ = dest.most_common()
                if n_top >= 0.8 * sum(dest.values()):
                    listed = "、".join(names[top][:5]) + ("等" if n_top > 5 else "")
                    add_merge(a, top, 0.6 + 0.35 * n_top / len(kids),
                              f"{display_name(a.name)}的 {len(kids)} 个下级中有 {n_top} 个({listed})转入{self.name(self.B, top)}")
                else:
                    targets = [c for c, _ in dest.most_common()]
                    used_new.update(t for t in targets if t in new_b)
                    self.absorbed[a.code] = targets[0]  # its leftover villages: most likely with the largest share
                    self.propose("split", [a], [self.B[t] for t in targets], 0.7,
                                 f"{display_name(a.name)}的下级分别转入"
                                 + "、".join(f"{self.name(self.B, t)}({dest[t]} 个)" for t in targets))
            gone = rest

        fresh_by_parent = defaultdict(list)
        for b in new_b.values():
            if b.code not in used_new and b.code not in merges:
                fresh_by_parent[b.parent_code].append(b)
        for a in gone:
            # A village whose township was merged away is looked for under the township it went into.
            parent_b = self.m.get(a.parent_code) or self.absorbed.get(a.parent_code)
            if parent_b is None:
                self.propose("abolish", [a], [], 0.5, f"{display_name(a.name)}在新版中不再出现,其上级也已不存在,去向不明")
                continue
            fresh = fresh_by_parent.get(parent_b, [])
            if fresh:
                best = max(fresh, key=lambda b: (shared_chars(a.name, b.name), -abs(_seg(b.code) - _seg(a.code))))
                add_merge(a, best.code, 0.7 if len(fresh) == 1 else 0.55,
                          f"{display_name(a.name)}在新版中不再出现,同一上级下新出现{display_name(best.name)}")
                continue
            siblings = [b for b in self.kids_new.get(parent_b, []) if b.code in self.m_inv and b.level == level]
            if not siblings:
                self.propose("abolish", [a], [], 0.5, f"{display_name(a.name)}在新版中不再出现,同一上级下没有可并入的单位")
                continue
            best = min(siblings, key=lambda b: (-shared_chars(a.name, b.name), abs(_seg(b.code) - _seg(a.code)), b.code))
            add_merge(a, best.code, 0.4,
                      f"{display_name(a.name)}在新版中不再出现,同一上级下无新设单位,按相邻代码推测并入{display_name(best.name)},请核实")

        for succ_code, preds in merges.items():
            self.absorbed.update((a.code, succ_code) for a in preds)
            b = self.B[succ_code]
            kind = "并入" if succ_code in self.m_inv else "合并设立"
            ev = "；".join(evidence[succ_code])
            if succ_code in reused:
                ev = reused[succ_code] + "；" + ev
            self.propose("merge", sorted(preds, key=lambda e: e.code), [b], confidence[succ_code], f"{kind}:{ev}")
            used_new.add(succ_code)

        for code, b in sorted(new_b.items()):
            if code not in used_new:
                self.propose("establish", [], [b], 0.7, reused.get(code) or f"{display_name(b.name)}在旧版中不存在")
