#!/usr/bin/env python3
"""Writes the register tiles of the CPU decode kernels in dev.prune4j.internal.cpu: F32Tiles,
Bf16Tiles and F16Tiles (the dense tiles and the 2:4 staging, once per weight dtype, each with its
own widening) and Sparse24Tiles (the staged 2:4 tiles for a few tokens, for every dtype).

Why generated, and why shaped like this: C2 compiles a Vector API loop well only while the
compilation unit stays under a node budget; past it, it stops inlining the Vector API calls and
every vector becomes a heap object. A loop that widens "any dtype" (a branch per dtype at every
load) is over that budget, so there is one class per dtype; a 2:4 tile that also decodes the
metadata of four rows is over it too, so the decoding runs in a pass of its own (stage) and the 2:4
tiles read plain arrays. Each tile loop sits in a method long enough (over C2's 325-byte limit for
inlining hot methods) to be compiled on its own instead of inlined with others into one caller.

usage: python3 java/core/codegen/gen_row_tiles.py   (rewrites the four .java files)
"""
import os

R = 4  # weight rows per tile (RowTiles.ROWS_PER_TILE)
TOKENS = (1, 2, 4)  # tokens per tile (RowTiles.TOKENS_PER_TILE = 4)
SPARSE_TOKENS = (1, 2)  # direct 2:4 tiles (more tokens: staged, Sparse24Tiles)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "main", "java", "dev", "prune4j", "internal", "cpu")

KINDS = {
    "F32Tiles": dict(
        kind="F32",
        doc="F32 weights: loaded as they are.",
        load="FloatVector.fromMemorySegment(F, {w}, ({e}) * 4, LE)",
    ),
    "Bf16Tiles": dict(
        kind="BF16",
        doc="""BF16 weights: the top half of an F32, one shift after the 16-to-32-bit move
 * ({@code vpmovsxwd}).""",
        load="((IntVector) ShortVector.fromMemorySegment(H, {w}, ({e}) * 2, LE).convertShape(S2I, I, 0))"
             ".lanewise(LSHL, 16).reinterpretAsFloats()",
    ),
    "F16Tiles": dict(
        kind="F16",
        doc="""F16 weights without Inf or NaN. The Vector API has no F16 conversion, so the sign
 * (sign-extended into bit 31) and the 15 exponent and mantissa bits are moved to F32's positions:
 * read as an F32 that is the weight times {@code 2^-112}, exactly, for normal numbers, zeros and
 * subnormals alike (AMD Zen has no penalty for the subnormal F32 values this makes). The activations
 * come scaled by {@code 2^112} instead ({@link VectorRowTiles#prepare}), so each product is exact
 * and no multiply is spent per weight. Exponent-31 codes (Inf, NaN) would come out finite: weights
 * with those take the scalar kernels.""",
        load="((IntVector) ShortVector.fromMemorySegment(H, {w}, ({e}) * 2, LE).convertShape(S2I, I, 0))"
             ".lanewise(LSHL, 13).and(0x8FFFE000).reinterpretAsFloats()",
        # Its widening is one operation longer: a direct 2:4 tile of 4 rows is over C2's budget.
        sparse_rows=2,
    ),
}


LOAD = None  # the current dtype's widening, an expression in {w} and {e}


def load(w, e):
    """The widening written out in place: a helper method would be inlined only where C2 finds the
    call hot, and a vector returned from a call that is not inlined becomes a heap object."""
    return LOAD.format(w=w, e=e)


def positions(meta, at):
    """The positions of a step's kept values, written out in place (see load). L is a constant to
    C2, so only one of the three metadata reads is compiled."""
    return (f"IntVector.broadcast(I, L == 16 ? {meta}.get(LittleEndian.I32, {at}) : L == 8 "
            f"? {meta}.get(LittleEndian.I16, {at}) & 0xFFFF : {meta}.get(ValueLayout.JAVA_BYTE, {at}) & 0xFF)"
            ".lanewise(LSHR, SHIFTS).and(3).or(GROUP_START)")


def zeros(t, indent="            "):
    names = [f"a{i}{j}" for i in range(R) for j in range(t)]
    lines = [f"{indent}FloatVector a00 = FloatVector.zero(F);"]
    lines += [f"{indent}FloatVector {n} = a00;" for n in names[1:]]
    return lines


def xs(t):
    # A short tile repeats its last token rather than reading past the tile.
    out = ["        int x0 = t * in;"]
    for j in range(1, t):
        out.append(f"        int x{j} = x0 + Math.min({j}, m - 1) * in;")
    return out


def dense(kind, t):
    out = ["    @Override",
           f"    public void dense{t}(MemorySegment w, int in, int r0, int r1, float[] x, int t, int m, float[] out, int o0,",
           "                       int ldo) {",
           "        int steps = in / L;",
           "        float[] acc = new float[4 * 4 * L];"]
    out += xs(t)
    out += ["        for (int r = r0; r < r1; r += 4) {",
            "            int n = Math.min(4, r1 - r);",
            "            // A short tile repeats its last row rather than reading past the range.",
            "            long w0 = (long) r * in;"]
    out += [f"            long w{i} = (long) (r + Math.min({i}, n - 1)) * in;" for i in range(1, R)]
    out += zeros(t)
    out += ["            for (int s = 0; s < steps; s++) {", "                int k = s * L;"]
    if t == 1:
        out.append("                FloatVector xv = FloatVector.fromArray(F, x, x0 + k);")
        out += [f"                a{i}0 = {load('w', f'w{i} + k')}.fma(xv, a{i}0);" for i in range(R)]
    else:
        out += [f"                FloatVector v{i} = {load('w', f'w{i} + k')};" for i in range(R)]
        for j in range(t):
            out.append(f"                {'FloatVector ' if j == 0 else ''}xv = FloatVector.fromArray(F, x, x{j} + k);")
            out += [f"                a{i}{j} = v{i}.fma(xv, a{i}{j});" for i in range(R)]
    out.append("            }")
    out += [f"            a{i}{j}.intoArray(acc, {i * 4 + j} * L);" for i in range(R) for j in range(t)]
    out.append(f"            VectorRowTiles.finishDense(acc, w, WeightKind.{kind}, in, r, n, x, t, m, out, o0, ldo);")
    out += ["        }", "    }"]
    return out


def sparse(kind, t, rr):
    """A direct 2:4 tile: values widened and metadata decoded in the loop (few tokens)."""
    out = ["    @Override",
           f"    public void sparse{t}(MemorySegment values, MemorySegment meta, int in, int r0, int r1, float[] x, int t, int m,",
           "                        float[] out, int o0, int ldo) {",
           "        int steps = in / (2 * L);",
           "        long half = in / 2;",
           "        long metaRow = Sparse24.metaBytesPerRow(in);",
           "        float[] acc = new float[4 * 4 * L];"]
    out += xs(t)
    out += [f"        for (int r = r0; r < r1; r += {rr}) {{",
            f"            int n = Math.min({rr}, r1 - r);",
            "            long v0 = r * half;",
            "            long m0 = r * metaRow;"]
    for i in range(1, rr):
        out.append(f"            long q{i} = r + Math.min({i}, n - 1);")
        out.append(f"            long v{i} = q{i} * half;")
        out.append(f"            long m{i} = q{i} * metaRow;")
    names = [f"a{i}{j}" for i in range(rr) for j in range(t)]
    out.append("            FloatVector a00 = FloatVector.zero(F);")
    out += [f"            FloatVector {n} = a00;" for n in names[1:]]
    out += ["            for (int s = 0; s < steps; s++) {",
            "                long vs = (long) s * L;",
            "                long ms = (long) s * (L / 4);",
            "                int k = 2 * L * s;"]
    out += [f"                FloatVector w{i} = {load('values', f'v{i} + vs')};" for i in range(rr)]
    out += [f"                IntVector p{i} = {positions('meta', f'm{i} + ms')};" for i in range(rr)]
    for j in range(t):
        d = "IntVector " if j == 0 else ""
        out.append(f"                {d}lo = FloatVector.fromArray(F, x, x{j} + k).reinterpretAsInts();")
        out.append(f"                {d}hi = FloatVector.fromArray(F, x, x{j} + k + L).reinterpretAsInts();")
        out += [f"                a{i}{j} = w{i}.fma(p{i}.selectFrom(lo, hi).reinterpretAsFloats(), a{i}{j});"
                for i in range(rr)]
    out.append("            }")
    out += [f"            a{i}{j}.intoArray(acc, {i * 4 + j} * L);" for i in range(rr) for j in range(t)]
    out.append(f"            VectorRowTiles.finishSparse(acc, 0, values, meta, WeightKind.{kind}, in, r, n, x, t, m, out, o0, ldo);")
    out += ["        }", "    }"]
    return out


STREAMS = 4  # contiguous parts of a row range read side by side at one token


def dense_row(kind):
    """One token: the row range cut into STREAMS contiguous parts that are read side by side, row
    i of every part in one pass, so the weight arrives as STREAMS long sequential streams (each
    part is megabytes of consecutive rows); the leftover rows one after the other. See
    VectorTiles#denseRows1 for why."""
    out = ["    @Override",
           "    public void denseRows1(MemorySegment w, int in, int r0, int r1, float[] x, int t, float[] out, int o0, int ldo) {",
           "        int steps = in / L;",
           "        float[] acc = new float[4 * 4 * L];",
           "        int x0 = t * in;",
           f"        int part = (r1 - r0) / {STREAMS};",
           "        long stride = (long) part * in;",
           "        for (int r = r0; r < r0 + part; r++) {",
           "            long w0 = (long) r * in;"]
    out += [f"            FloatVector a{u} = FloatVector.zero(F);" if u == 0 else f"            FloatVector a{u} = a0;"
            for u in range(STREAMS)]
    out += ["            for (int s = 0; s < steps; s++) {",
            "                int k = s * L;",
            "                FloatVector xv = FloatVector.fromArray(F, x, x0 + k);"]
    for u in range(STREAMS):
        at = "w0 + k" if u == 0 else f"w0 + {u} * stride + k" if u > 1 else "w0 + stride + k"
        out.append(f"                a{u} = {load('w', at)}.fma(xv, a{u});")
    out.append("            }")
    for u in range(STREAMS):
        row = "r" if u == 0 else f"r + {u} * part" if u > 1 else "r + part"
        out += [f"            a{u}.intoArray(acc, 0);",
                f"            VectorRowTiles.finishDense(acc, w, WeightKind.{kind}, in, {row}, 1, x, t, 1, out, o0, ldo);"]
    out += ["        }",
            f"        for (int r = r0 + {STREAMS} * part; r < r1; r++) {{",
            "            long w0 = (long) r * in;",
            "            FloatVector a0 = FloatVector.zero(F);",
            "            for (int s = 0; s < steps; s++) {",
            "                int k = s * L;",
            f"                a0 = {load('w', 'w0 + k')}.fma(FloatVector.fromArray(F, x, x0 + k), a0);",
            "            }",
            "            a0.intoArray(acc, 0);",
            f"            VectorRowTiles.finishDense(acc, w, WeightKind.{kind}, in, r, 1, x, t, 1, out, o0, ldo);",
            "        }",
            "    }"]
    return out


def sparse_row(kind, streams):
    """As dense_row, for 2:4 rows decoded in the loop: per step each part's row selects its inputs
    from the same two vectors of x (loaded once for all parts)."""
    out = ["    @Override",
           "    public void sparseRows1(MemorySegment values, MemorySegment meta, int in, int r0, int r1, float[] x, int t,",
           "                            float[] out, int o0, int ldo) {",
           "        int steps = in / (2 * L);",
           "        long half = in / 2;",
           "        long metaRow = Sparse24.metaBytesPerRow(in);",
           "        float[] acc = new float[4 * 4 * L];",
           "        int x0 = t * in;",
           f"        int part = (r1 - r0) / {streams};",
           "        for (int r = r0; r < r0 + part; r++) {"]
    for u in range(streams):
        row = "r" if u == 0 else f"(r + {u} * part)" if u > 1 else "(r + part)"
        out += [f"            long v{u} = {row} * half;", f"            long m{u} = {row} * metaRow;"]
    out += [f"            FloatVector a{u} = FloatVector.zero(F);" if u == 0 else f"            FloatVector a{u} = a0;"
            for u in range(streams)]
    out += ["            for (int s = 0; s < steps; s++) {",
            "                long vs = (long) s * L;",
            "                int k = 2 * L * s;",
            "                IntVector lo = FloatVector.fromArray(F, x, x0 + k).reinterpretAsInts();",
            "                IntVector hi = FloatVector.fromArray(F, x, x0 + k + L).reinterpretAsInts();"]
    for u in range(streams):
        out += [f"                IntVector p{u} = {positions('meta', f'm{u} + (long) s * (L / 4)')};",
                f"                a{u} = {load('values', f'v{u} + vs')}.fma(p{u}.selectFrom(lo, hi).reinterpretAsFloats(), a{u});"]
    out.append("            }")
    for u in range(streams):
        row = "r" if u == 0 else f"r + {u} * part" if u > 1 else "r + part"
        out += [f"            a{u}.intoArray(acc, 0);",
                f"            VectorRowTiles.finishSparse(acc, 0, values, meta, WeightKind.{kind}, in, {row}, 1, x, t, 1, out, o0, ldo);"]
    out += ["        }",
            f"        for (int r = r0 + {streams} * part; r < r1; r++) {{",
            "            long v0 = r * half;",
            "            long m0 = r * metaRow;",
            "            FloatVector a0 = FloatVector.zero(F);",
            "            for (int s = 0; s < steps; s++) {",
            "                long vs = (long) s * L;",
            "                int k = 2 * L * s;",
            f"                IntVector p = {positions('meta', 'm0 + (long) s * (L / 4)')};",
            "                IntVector lo = FloatVector.fromArray(F, x, x0 + k).reinterpretAsInts();",
            "                IntVector hi = FloatVector.fromArray(F, x, x0 + k + L).reinterpretAsInts();",
            f"                a0 = {load('values', 'v0 + vs')}.fma(p.selectFrom(lo, hi).reinterpretAsFloats(), a0);",
            "            }",
            "            a0.intoArray(acc, 0);",
            f"            VectorRowTiles.finishSparse(acc, 0, values, meta, WeightKind.{kind}, in, r, 1, x, t, 1, out, o0, ldo);",
            "        }",
            "    }"]
    return out


def stage():
    return ["    @Override",
            "    public void stage(MemorySegment values, MemorySegment meta, long v, long mm, int steps, float[] vals, int[] pos,",
            "                      int at) {",
            "        for (int s = 0; s < steps; s++) {",
            f"            {load('values', 'v + (long) s * L')}.intoArray(vals, at + s * L);",
            f"            {positions('meta', 'mm + (long) s * (L / 4)')}.intoArray(pos, at + s * L);",
            "        }",
            "    }"]


def sparse_tile(t):
    toks = ", ".join(f"int x{j}" for j in range(t))
    out = [f"    static void tile{t}(float[] vals, int[] pos, int chunk, int steps, float[] x, {toks}, float[] acc, int at) {{"]
    for i in range(R):
        for j in range(t):
            out.append(f"        FloatVector a{i}{j} = FloatVector.fromArray(F, acc, at + {i * 4 + j} * L);")
    out += ["        for (int s = 0; s < steps; s++) {",
            "            int k = 2 * L * s;",
            "            int e = s * L;"]
    for i in range(R):
        out.append(f"            FloatVector w{i} = FloatVector.fromArray(F, vals, {i} * chunk + e);")
        out.append(f"            IntVector p{i} = IntVector.fromArray(I, pos, {i} * chunk + e);")
    for j in range(t):
        d = "IntVector " if j == 0 else ""
        out.append(f"            {d}lo = FloatVector.fromArray(F, x, x{j} + k).reinterpretAsInts();")
        out.append(f"            {d}hi = FloatVector.fromArray(F, x, x{j} + k + L).reinterpretAsInts();")
        out += [f"            a{i}{j} = w{i}.fma(p{i}.selectFrom(lo, hi).reinterpretAsFloats(), a{i}{j});"
                for i in range(R)]
    out.append("        }")
    out += [f"        a{i}{j}.intoArray(acc, at + {i * 4 + j} * L);" for i in range(R) for j in range(t)]
    out.append("    }")
    return out


KIND_HEADER = """package dev.prune4j.internal.cpu;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

import dev.prune4j.internal.tensor.LittleEndian;
import dev.prune4j.sparse.Sparse24;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

// GENERATED by java/core/codegen/gen_row_tiles.py: edit the generator, not this file.

/**
 * The dense register tiles and the 2:4 staging of {@link VectorRowTiles} for
 * DOC
 */
final class NAME implements VectorTiles {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Half the width: {@code L} 16-bit weights, widened to one F32 vector. */
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class,
            VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Lane i: the shift that brings kept value i's 2-bit position to the bottom of the metadata word. */
    private static final IntVector SHIFTS = IntVector.zero(I).addIndex(2);
    /** Lane i: where kept value i's group starts inside the step, {@code 4 * (i / 2)}. */
    private static final IntVector GROUP_START = IntVector.zero(I).addIndex(1).lanewise(ASHR, 1).lanewise(LSHL, 2);"""

SPARSE_HEADER = """package dev.prune4j.internal.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

// GENERATED by java/core/codegen/gen_row_tiles.py: edit the generator, not this file.

/**
 * The 2:4 register tiles of {@link VectorRowTiles} on staged chunks, for every dtype, from 4
 * tokens up to {@link Sparse24TokenLanes#MIN_TOKENS}. They read a chunk of 4 rows that {@link VectorTiles#stage} decoded (row {@code i} of the
 * chunk from {@code i * chunk}) and keep their accumulators (row {@code i}, token {@code j} at
 * {@code acc[at + (4 i + j) L]}) in the array between chunks.
 *
 * <p>{@code tileT}: 4 rows by T tokens on the kept values as F32 ({@code vals}) and their
 * positions ({@code pos}), one vector of each per step of {@code 2 L} inputs; per row and token a
 * lane selection ({@code vpermi2d} on AVX-512) picks the row's inputs and one FMA adds their
 * products. Half the FMAs of the dense tile, but a selection for each: on Zen 4 the two cost about
 * the same, so this is the tile for a few tokens, where the bytes count. From two blocks of lanes
 * on, {@link Sparse24TokenLanes} takes the tokens in the lanes and needs no selection.
 */
final class Sparse24Tiles {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    private Sparse24Tiles() {}"""


def kind_class(name, k):
    global LOAD
    LOAD = k["load"]
    lines = KIND_HEADER.replace("NAME", name).replace("DOC", k["doc"]).split("\n")
    for t in TOKENS:
        lines.append("")
        lines += dense(k["kind"], t)
    for t in SPARSE_TOKENS:
        lines.append("")
        lines += sparse(k["kind"], t, k.get("sparse_rows", R))
    lines.append("")
    lines += dense_row(k["kind"])
    lines.append("")
    lines += sparse_row(k["kind"], k.get("sparse_streams", STREAMS))
    lines.append("")
    lines += stage()
    lines.append("}")
    text = "\n".join(lines) + "\n"
    if k["kind"] == "F32":
        text = text.replace("import static jdk.incubator.vector.VectorOperators.S2I;\n", "")

    return text


def sparse_class():
    lines = SPARSE_HEADER.split("\n")
    for t in TOKENS:
        lines.append("")
        lines += sparse_tile(t)
    lines.append("}")
    return "\n".join(lines) + "\n"


def write(name, text):
    with open(os.path.join(OUT, name + ".java"), "w") as f:
        f.write(text)
    print("wrote", name + ".java")


for name, k in KINDS.items():
    write(name, kind_class(name, k))
write("Sparse24Tiles", sparse_class())
