"""Graphs from edge lists: `graph E = edges(...)`, sums over vertices and edges, weights E[i,j], the
analysis of the graph, and every refusal with its .ham position and the edge file's line."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import hamc

from conftest import EXAMPLES, run


def write(tmp_path, text: str, edges: str, name: str = "edges.csv"):
    (tmp_path / name).write_text(edges)
    path = tmp_path / "g.ham"
    path.write_text(text)
    return path


MAXCUT = 'graph E = edges("edges.csv")\nbit x[E]\nH = -sum(<i,j> in E: E[i,j] * (x[i] + x[j] - 2 * x[i] * x[j]))\n'


def test_the_maxcut_example_against_numpy_on_every_configuration():
    rows = np.loadtxt(EXAMPLES / "data" / "maxcut_edges.csv", delimiter=",")
    u, v, w = rows[:, 0].astype(int), rows[:, 1].astype(int), rows[:, 2]
    x = np.array(list(itertools.product((0, 1), repeat=8)), float)
    cut = ((x[:, u] != x[:, v]) * w).sum(axis=1)
    c = hamc.compile(EXAMPLES / "maxcut.ham")
    assert c.verification.exhaustive and c.verification.samples == 256
    np.testing.assert_allclose(c.hamiltonian.evaluate(x), -cut, atol=1e-12)
    np.testing.assert_allclose(c.network(x), -cut, atol=1e-6)
    assert cut.max() == 24           # of 27 in all: the best cut leaves only 1-2 and 5-6 uncut
    assert c.hamiltonian.evaluate(np.array([[0, 1, 1, 0, 1, 0, 0, 1]]))[0] == -24


def test_an_unweighted_graph_and_sums_over_its_vertices(tmp_path):
    path = write(tmp_path, 'graph E = edges("edges.csv", 5)\nspin s[E]\n'
                 "H = sum(<i,j> in E: s[i] * s[j]) + sum(i in E: (i + 1) * s[i]) + E[0,1] + E[1,0] + E[0,2]",
                 "0 1\n1 2\n")
    h = hamc.load(path)
    assert h.n_variables == 5
    s = np.array([[1, -1, 1, -1, 1]], float)
    assert h.evaluate(s)[0] == (-1 - 1) + (1 - 2 + 3 - 4 + 5) + 2


def test_analyze_reports_the_graph(tmp_path, capsys):
    ring = "".join(f"{k},{(k + 1) % 6}\n" for k in range(6))        # a hexagon: 12 automorphisms
    path = write(tmp_path, MAXCUT, ring + "6,0\n")                    # and a pendant vertex 6: 2 left
    a = hamc.analyze(hamc.load(path))
    (g,) = a.graphs
    assert (g.name, g.vertices, g.edges, g.min_degree, g.max_degree, g.automorphisms) == ("E", 7, 7, 1, 3, 2)
    assert a.to_json()["graphs"][0]["automorphisms"] == 2
    code, out, _ = run(capsys, "analyze", path)
    assert code == 0 and "graph E        7 vertices, 7 edges, degree 1..3, 2 automorphisms" in out
    path = write(tmp_path, MAXCUT, ring)
    assert hamc.analyze(hamc.load(path)).graphs[0].automorphisms == 12
    path = write(tmp_path, MAXCUT.replace('"edges.csv"', '"edges.csv", 10^9').replace("bit x[E]", "bit x[3]")
                 .replace("sum(<i,j> in E", "sum(<i,j> in E, i < 3, j < 3"), ring)
    g = hamc.analyze(hamc.load(path)).graphs[0]       # 10^9 vertices, 6 of them on edges: nothing that large is made
    assert (g.vertices, g.edges, g.min_degree, g.max_degree, g.automorphisms) == (10**9, 6, 0, 2, None)


@pytest.mark.parametrize("edges, message", [
    ("0,1\n2,2\n", "line 2 is a self-loop (vertex 2 to itself)"),
    ("0,1\n# comment\n\n1,0\n", "line 4 repeats the edge 1-0 of line 1"),
    ("0,1\n1,x\n", "line 2, column 2 is not a vertex (a non-negative integer)"),
    ("0,1\n1,2.5\n", "line 2, column 2 is not a vertex (a non-negative integer)"),
    ("0,1\n-1,2\n", "line 2, column 1 is not a vertex (a non-negative integer)"),
    ("0,1,2\n1,2\n", "line 2 has 2 columns, the lines before it 3: give every edge a weight or none"),
    ("0,1,2,3\n", "line 1 has 4 columns; each line is `u, v` or `u, v, weight`"),
    ("0,1,nan\n", "line 1, column 3 is not a number (a weight such as 2, -0.5 or 1e-3)"),
    ("# nothing\n", "it holds no edges"),
])
def test_a_bad_edge_file_is_refused_at_the_call_with_its_line(tmp_path, edges, message):
    path = write(tmp_path, MAXCUT, edges)
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(path)
    err = info.value
    assert (err.line, err.col) == (1, 17)
    assert err.message == f"cannot read the edges of 'E' from '{tmp_path / 'edges.csv'}': {message}"


def test_a_vertex_count_beyond_the_variable_limit(tmp_path):
    path = write(tmp_path, MAXCUT.replace('"edges.csv"', '"edges.csv", 10^10'), "0,1\n")
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(path)
    assert (info.value.line, info.value.col, info.value.message) == (
        1, 30, "graph 'E' has 10,000,000,000 vertices (limit 1,000,000,000)")


def test_a_vertex_beyond_the_given_count(tmp_path):
    path = write(tmp_path, MAXCUT.replace('"edges.csv"', '"edges.csv", 3'), "0,1\n1,3\n")
    with pytest.raises(hamc.HamcError, match=r"line 2 has vertex 3, out of range 0..2 \(the graph's 3 vertices\)"):
        hamc.load(path)


@pytest.mark.parametrize("text, line, col, message", [
    ('graph E = edges("edges.csv")\nH = sum(<i,j> in bonds(E, 2): 1)', 2, 9,
     "'E' is a graph: its bonds are its edges, <i,j> in E"),
    ('graph E = edges("edges.csv")\ngraph E = edges("edges.csv")\nH = 1', 2, 1,
     "'E' is already declared (as a graph at line 1)"),
    ('graph E = load("edges.csv")\nH = 1', 1, 11,
     'a graph is read from an edge list: graph E = edges("file.csv") or edges("file.csv", vertex count)'),
    ('graph E = edges("edges.csv")\nspin s[E]\nH = s[E]', 3, 7, "'E' is a graph; sum over it, as in sum(i in E: ...)"),
    ('graph E = edges("edges.csv")\nspin s[E]\nH = E[0]', 3, 5, "'E' takes 2 indexes (the ends of an edge), got 1"),
])
def test_graph_misuse_is_refused_with_its_position(tmp_path, text, line, col, message):
    path = write(tmp_path, text, "0,1\n1,2\n")
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(path)
    assert (info.value.line, info.value.col, info.value.message) == (line, col, message)
