package pcapfilter

// Code generation: a tree of tests to classic BPF, each node jumping to a
// true and a false label, as libpcap's blocks do; the labels resolve to
// forward skips at the end.

import (
	"fmt"
	"strings"

	"golang.org/x/net/bpf"
)

// node is a boolean test: nAnd, nOr, nNot, nConst, nCmp or nRel.
type node any

type (
	nAnd   struct{ a, b node }
	nOr    struct{ a, b node }
	nNot   struct{ x node }
	nConst bool
	// nCmp compares a loaded field, masked when mask is not 0, with val
	nCmp struct {
		ld   loadSpec
		mask uint32
		op   bpf.JumpTest
		val  uint32
	}
	// nRel compares two arithmetic expressions
	nRel struct {
		lhs, rhs arith
		op       bpf.JumpTest
	}
)

// loadSpec is a field: at off from the packet's start, or, when l4, at
// off from an IPv4 packet's transport header (its network header at nl).
type loadSpec struct {
	off, nl uint32
	size    int
	l4      bool
}

func loadAbs(off uint32, size int) loadSpec { return loadSpec{off: off, size: size} }
func loadL4(nl, off uint32, size int) loadSpec {
	return loadSpec{off: off, nl: nl, size: size, l4: true}
}
func cmpAbs(off uint32, size int, val uint32) nCmp {
	return nCmp{ld: loadAbs(off, size), op: bpf.JumpEqual, val: val}
}

// arith is a value: aConst, aLen, aLoad, aBin or aNeg.
type arith any

type (
	aConst uint32
	aLen   struct{}
	aLoad  struct {
		base loadSpec // off is where index 0 is
		idx  arith
	}
	aBin struct {
		op   bpf.ALUOp
		a, b arith
	}
	aNeg struct{ x arith }
)

// item is an instruction, or a jump to labels that program resolves.
type item struct {
	ins        bpf.Instruction // nil for a jump
	cond       bpf.JumpTest
	val        uint32
	x          bool // compare with X, not val
	t, f       int  // labels: where a jump goes when its test holds, and when not
	isJump     bool
	isUncondJa bool // to t whatever A holds
}

type gen struct {
	items   []item
	labels  []int
	scratch int
	err     error
}

func (g *gen) label() int {
	g.labels = append(g.labels, -1)
	return len(g.labels) - 1
}

func (g *gen) place(l int) { g.labels[l] = len(g.items) }

func (g *gen) emit(ins ...bpf.Instruction) {
	for _, in := range ins {
		g.items = append(g.items, item{ins: in})
	}
}

func (g *gen) jump(cond bpf.JumpTest, val uint32, x bool, t, f int) {
	g.items = append(g.items, item{cond: cond, val: val, x: x, t: t, f: f, isJump: true})
}

func (g *gen) ja(t int) {
	g.items = append(g.items, item{t: t, isJump: true, isUncondJa: true})
}

func (g *gen) boolean(n node, t, f int) {
	switch n := n.(type) {
	case nAnd:
		m := g.label()
		g.boolean(n.a, m, f)
		g.place(m)
		g.boolean(n.b, t, f)
	case nOr:
		m := g.label()
		g.boolean(n.a, t, m)
		g.place(m)
		g.boolean(n.b, t, f)
	case nNot:
		g.boolean(n.x, f, t)
	case nConst:
		if n {
			g.ja(t)
		} else {
			g.ja(f)
		}
	case nCmp:
		g.load(n.ld, 0)
		if n.mask != 0 {
			g.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: n.mask})
		}
		g.jump(n.op, n.val, false, t, f)
	case nRel:
		if c, ok := n.rhs.(aConst); ok {
			g.value(n.lhs)
			g.jump(n.op, uint32(c), false, t, f)
			return
		}
		k := g.push(n.rhs)
		g.value(n.lhs)
		g.emit(bpf.LoadScratch{Dst: bpf.RegX, N: k})
		g.pop()
		g.jump(n.op, 0, true, t, f)
	}
}

// load loads a field plus a constant index into A.
func (g *gen) load(l loadSpec, index uint32) {
	if l.l4 {
		g.emit(bpf.LoadMemShift{Off: l.nl}, bpf.LoadIndirect{Off: l.nl + l.off + index, Size: l.size})
		return
	}
	g.emit(bpf.LoadAbsolute{Off: l.off + index, Size: l.size})
}

// push computes a into a scratch slot and returns it.
func (g *gen) push(a arith) int {
	g.value(a)
	if g.scratch >= 16 {
		g.err = fmt.Errorf("expression too deep for BPF's 16 scratch words")
		return 0
	}
	k := g.scratch
	g.scratch++
	g.emit(bpf.StoreScratch{Src: bpf.RegA, N: k})
	return k
}

func (g *gen) pop() { g.scratch-- }

// value computes a into A.
func (g *gen) value(a arith) {
	switch a := a.(type) {
	case aConst:
		g.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: uint32(a)})
	case aLen:
		g.emit(bpf.LoadExtension{Num: bpf.ExtLen})
	case aNeg:
		g.value(a.x)
		g.emit(bpf.NegateA{})
	case aLoad:
		if c, ok := a.idx.(aConst); ok {
			g.load(a.base, uint32(c))
			return
		}
		if !a.base.l4 {
			g.value(a.idx)
			g.emit(bpf.TAX{}, bpf.LoadIndirect{Off: a.base.off, Size: a.base.size})
			return
		}
		k := g.push(a.idx)
		g.emit(bpf.LoadMemShift{Off: a.base.nl}, bpf.TXA{}, bpf.LoadScratch{Dst: bpf.RegX, N: k},
			bpf.ALUOpX{Op: bpf.ALUOpAdd}, bpf.TAX{}, bpf.LoadIndirect{Off: a.base.nl + a.base.off, Size: a.base.size})
		g.pop()
	case aBin:
		if c, ok := a.b.(aConst); ok {
			if (a.op == bpf.ALUOpDiv || a.op == bpf.ALUOpMod) && c == 0 {
				g.err = fmt.Errorf("division by zero")
				return
			}
			g.value(a.a)
			g.emit(bpf.ALUOpConstant{Op: a.op, Val: uint32(c)})
			return
		}
		k := g.push(a.b)
		g.value(a.a)
		g.emit(bpf.LoadScratch{Dst: bpf.RegX, N: k}, bpf.ALUOpX{Op: a.op})
		g.pop()
	}
}

// program resolves the labels into skips.
func (g *gen) program() ([]bpf.Instruction, error) {
	out := make([]bpf.Instruction, len(g.items))
	for i, it := range g.items {
		if !it.isJump {
			out[i] = it.ins
			continue
		}
		st := g.labels[it.t] - (i + 1)
		if it.isUncondJa {
			out[i] = bpf.Jump{Skip: uint32(st)}
			continue
		}
		sf := g.labels[it.f] - (i + 1)
		if st < 0 || sf < 0 || st > 255 || sf > 255 {
			return nil, fmt.Errorf("expression too long for BPF's 255-instruction jumps")
		}
		if it.x {
			out[i] = bpf.JumpIfX{Cond: it.cond, SkipTrue: uint8(st), SkipFalse: uint8(sf)}
		} else {
			out[i] = bpf.JumpIf{Cond: it.cond, Val: it.val, SkipTrue: uint8(st), SkipFalse: uint8(sf)}
		}
	}
	return out, nil
}

// compile compiles expr for linkType; matches return snaplen.
func compile(expr string, linkType uint32, snaplen uint32) ([]bpf.Instruction, error) {
	wrap := func(err error) error { return fmt.Errorf("filter %q: %v", expr, err) }
	if strings.TrimSpace(expr) == "" {
		return []bpf.Instruction{bpf.RetConstant{Val: snaplen}}, nil
	}
	lay, ok := layoutOf(linkType)
	if !ok {
		return nil, wrap(fmt.Errorf("captures of link type %d cannot be filtered (Ethernet, Linux cooked and raw IP can)", linkType))
	}
	toks, err := tokenize(expr)
	if err != nil {
		return nil, wrap(err)
	}
	p := &parser{toks: toks, lay: lay}
	n, err := p.parseOr()
	if err == nil && p.i < len(p.toks) {
		err = p.errorf("unexpected word")
	}
	if err != nil {
		return nil, wrap(err)
	}
	g := &gen{}
	accept, reject := g.label(), g.label()
	g.boolean(n, accept, reject)
	if g.err != nil {
		return nil, wrap(g.err)
	}
	g.place(accept)
	g.emit(bpf.RetConstant{Val: snaplen})
	g.place(reject)
	g.emit(bpf.RetConstant{Val: 0})
	prog, err := g.program()
	if err != nil {
		return nil, wrap(err)
	}
	return prog, nil
}
