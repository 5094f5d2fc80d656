#!/usr/bin/env python3
"""Generate the synthetic district geography shipped as functions/Serverless.Core/Dispatch/district.json.

Standard library only and deterministic (fixed seed): running it again writes the same bytes.
23 streets and towns (the names in functions/Serverless.Core/Common/Geography.cs), 127 communities
(every street at least 3) and 1,500 grids (every community at least 8). Grids are clustered around
their community's centre, communities around their street's centre (x, y in metres on a plane).
Neighbours are the nearest grids of the same street within a distance threshold, made symmetric,
capped in degree, at least MIN_DEGREE each, and every street connected through neighbour links.
"""
import json
import math
import os
import random

SEED = 20270301
GENERATOR = "tools/geography/generate.py"
COMMUNITY_COUNT = 127
GRID_COUNT = 1500
MIN_COMMUNITIES_PER_STREET = 3
MIN_GRIDS_PER_COMMUNITY = 8
NEIGHBOUR_THRESHOLD_M = 450.0  # adjacency radius
NEAREST_K = 6                  # candidates per grid within the threshold
MAX_DEGREE = 8
MIN_DEGREE = 3

# Same order as Geography.Streets: 19 urban streets (街道), then 4 towns (镇).
STREETS = [
    "兆麟街道", "新阳路街道", "抚顺街道", "共乐街道", "新华街道", "城乡路街道", "工农街道", "尚志街道",
    "斯大林街道", "正阳河街道", "安静街道", "工程街道", "通江街道", "建国街道", "经纬街道", "康安街道",
    "群力街道", "友谊路街道", "爱建街道", "新发镇", "太平镇", "新农镇", "榆树镇",
]

NAME_POOL = [
    "和平", "光明", "建设", "胜利", "幸福", "民主", "团结", "东风", "红旗", "春华", "安康", "永安", "长青",
    "松花", "江畔", "滨江", "金桥", "银河", "新城", "花园", "锦绣", "阳光", "景阳", "繁荣", "文化", "育才",
    "学府", "工人", "铁路", "电机", "机车", "轴承", "亚麻", "曙光", "朝阳", "向阳", "东方", "西城", "北苑",
    "中山", "人和", "和谐", "嘉园", "翠湖", "碧水", "绿洲", "龙江", "青年", "先锋", "红星", "前进", "复兴",
    "兴华", "振兴", "宏伟", "富强", "荣华", "柳岸", "松涛", "桦林", "丁香", "牡丹", "芳草", "百合", "康乐",
]

NUMERALS = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
            "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十"]

GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def base_name(street):
    for suffix in ("街道", "镇"):
        if street.endswith(suffix):
            return street[: -len(suffix)]
    return street


def spread(rng, total, buckets, minimum):
    """Split total into buckets, each at least minimum, the rest placed at random."""
    counts = [minimum] * buckets
    for _ in range(total - minimum * buckets):
        counts[rng.randrange(buckets)] += 1
    return counts


def spiral(rng, cx, cy, n, spacing):
    """n points around (cx, cy) on a jittered sunflower spiral: even density, no overlaps."""
    turn = rng.random() * 2 * math.pi
    points = []
    for i in range(n):
        r = spacing * math.sqrt(i + 0.5) * (0.9 + 0.2 * rng.random())
        a = turn + i * GOLDEN_ANGLE + (rng.random() - 0.5) * 0.3
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


def street_centres(rng):
    centres = []
    # Urban streets on a 5 x 4 lattice, 5.2 km apart (no street overlaps another), jittered.
    for i in range(19):
        row, col = divmod(i, 5)
        centres.append((col * 5200 + (rng.random() - 0.5) * 600, row * 5200 + (rng.random() - 0.5) * 600))
    # Towns further out, one in each direction.
    mid_x, mid_y = 2 * 5200, 1.5 * 5200
    for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        centres.append((mid_x + dx * 18000 + (rng.random() - 0.5) * 1000,
                        mid_y + dy * 14000 + (rng.random() - 0.5) * 1000))
    return centres


def community_names(rng, streets, per_street):
    used = set()
    pool = NAME_POOL[:]
    rng.shuffle(pool)
    names = []
    for street, n in zip(streets, per_street):
        base = base_name(street)
        ordinal = 1
        for k in range(n):
            if k == 0:
                name = base + "社区"
            elif pool and rng.random() < 0.5:
                name = pool.pop() + "社区"
            else:
                ordinal += 1
                name = base + "第" + NUMERALS[ordinal] + "社区"
            assert name not in used, name
            used.add(name)
            names.append(name)
    return names


class UnionFind:
    def __init__(self, items):
        self.parent = {i: i for i in items}

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a, b):
        self.parent[self.find(a)] = self.find(b)


def link_street(grid_ids, pos, neighbours):
    """Neighbour links among the grids of one street."""
    def dist(a, b):
        return math.dist(pos[a], pos[b])

    def add(a, b):
        neighbours[a].add(b)
        neighbours[b].add(a)

    candidates = set()
    for g in grid_ids:
        near = sorted((dist(g, o), o) for o in grid_ids if o != g and dist(g, o) <= NEIGHBOUR_THRESHOLD_M)
        for d, o in near[:NEAREST_K]:
            candidates.add((d, min(g, o), max(g, o)))
    for d, a, b in sorted(candidates):
        if len(neighbours[a]) < MAX_DEGREE and len(neighbours[b]) < MAX_DEGREE:
            add(a, b)
    # A lone grid on the edge still gets its nearest grids, past the threshold if it must.
    for g in grid_ids:
        if len(neighbours[g]) < MIN_DEGREE:
            for _, o in sorted((dist(g, o), o) for o in grid_ids if o != g and o not in neighbours[g]):
                if len(neighbours[g]) >= MIN_DEGREE:
                    break
                add(g, o)
    # Every grid of the street reachable from every other: join the nearest pair across components.
    uf = UnionFind(grid_ids)
    for g in grid_ids:
        for o in neighbours[g]:
            uf.union(g, o)
    while True:
        roots = sorted({uf.find(g) for g in grid_ids})
        if len(roots) == 1:
            break
        first = [g for g in grid_ids if uf.find(g) == roots[0]]
        rest = [g for g in grid_ids if uf.find(g) != roots[0]]
        _, a, b = min((dist(a, b), a, b) for a in first for b in rest)
        add(a, b)
        uf.union(a, b)


def generate():
    rng = random.Random(SEED)
    per_street = spread(rng, COMMUNITY_COUNT, len(STREETS), MIN_COMMUNITIES_PER_STREET)
    per_community = spread(rng, GRID_COUNT, COMMUNITY_COUNT, MIN_GRIDS_PER_COMMUNITY)
    names = community_names(rng, STREETS, per_street)
    centres = street_centres(rng)

    communities = []  # (id, name, street)
    grids = []        # (id, community id, x, y)
    c_index = 0
    g_index = 0
    for street, n_comm, (sx, sy) in zip(STREETS, per_street, centres):
        comm_centres = spiral(rng, sx, sy, n_comm, 620.0)
        for cx, cy in comm_centres:
            cid = "c%03d" % (c_index + 1)
            communities.append((cid, names[c_index], street))
            for gx, gy in spiral(rng, cx, cy, per_community[c_index], 105.0):
                g_index += 1
                grids.append(("g%04d" % g_index, cid, round(gx), round(gy)))
            c_index += 1

    pos = {g: (x, y) for g, _, x, y in grids}
    street_of_comm = {cid: street for cid, _, street in communities}
    neighbours = {g: set() for g, _, _, _ in grids}
    for street in STREETS:
        link_street([g for g, c, _, _ in grids if street_of_comm[c] == street], pos, neighbours)

    return communities, grids, neighbours


def write(path, communities, grids, neighbours):
    dumps = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    lines = [
        "{",
        '"source":"synthetic",',
        '"generator":%s,' % dumps(GENERATOR),
        '"seed":%d,' % SEED,
        '"note":%s,' % dumps("A made-up district: street and town names are real, communities, grids, "
                             "positions (metres on a plane) and neighbours are generated."),
        '"streets":[',
        ",\n".join(dumps(s) for s in STREETS),
        "],",
        '"communities":[',
        ",\n".join(dumps({"id": c, "name": n, "street": s}) for c, n, s in communities),
        "],",
        '"grids":[',
        ",\n".join(dumps({"id": g, "community": c, "x": x, "y": y, "neighbours": sorted(neighbours[g])})
                   for g, c, x, y in grids),
        "]",
        "}",
    ]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "functions", "Serverless.Core", "Dispatch", "district.json")
    communities, grids, neighbours = generate()
    write(path, communities, grids, neighbours)
    degrees = [len(n) for n in neighbours.values()]
    print("%s: %d streets, %d communities, %d grids, %d bytes; neighbours min %d, mean %.2f, max %d"
          % (os.path.relpath(path, root), len(STREETS), len(communities), len(grids), os.path.getsize(path),
             min(degrees), sum(degrees) / len(degrees), max(degrees)))


if __name__ == "__main__":
    main()
